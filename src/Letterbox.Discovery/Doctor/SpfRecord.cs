using System.Text.RegularExpressions;

namespace Letterbox.Discovery.Doctor;

/// <summary>A syntax check of an SPF record (RFC 7208 §12), enough to catch what breaks evaluation.</summary>
public static partial class SpfRecord
{
    /// <summary>Null when <paramref name="record"/> parses; otherwise what is wrong.</summary>
    public static string? Check(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var terms = record.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (terms.Length == 0 || !terms[0].Equals("v=spf1", StringComparison.OrdinalIgnoreCase))
        {
            return "does not start with v=spf1";
        }
        var lookups = 0;
        var redirects = 0;
        foreach (var term in terms.Skip(1))
        {
            if (Modifier().IsMatch(term))
            {
                redirects += term.StartsWith("redirect=", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                lookups += term.StartsWith("redirect=", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                continue;
            }
            var match = Mechanism().Match(term);
            if (!match.Success)
            {
                return $"\"{term}\" is not an SPF mechanism or modifier";
            }
            var name = match.Groups["name"].Value.ToLowerInvariant();
            lookups += name is "a" or "mx" or "include" or "exists" or "ptr" ? 1 : 0;
            if (name is "include" or "exists" && match.Groups["arg"].Value.TrimStart(':').Length == 0)
            {
                return $"\"{term}\" needs a domain";
            }
        }
        // RFC 7208 §4.6.4: at most 10 DNS-querying terms; §6.1: redirect at most once.
        return lookups > 10 ? $"{lookups} DNS lookups (more than 10 is a permanent error)" : redirects > 1 ? "more than one redirect=" : null;
    }

    [GeneratedRegex(@"^[+\-~?]?(?<name>all|include|a|mx|ptr|ip4|ip6|exists)(?<arg>[:/].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Mechanism();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9\-_.]*=", RegexOptions.None)]
    private static partial Regex Modifier();
}
