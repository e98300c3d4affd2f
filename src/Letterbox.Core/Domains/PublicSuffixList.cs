using System.Globalization;
using System.Reflection;

namespace Letterbox.Core.Domains;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org/list/): which part of a host name is a public
/// suffix ("co.uk", "github.io") and so which is the registrable, organisational domain
/// ("example.co.uk"). DMARC (RFC 7489 §3.2) and discover's MX rule need it.
/// The list is read from Debian's <c>publicsuffix</c> package when installed (kept current by apt),
/// else from the copy built into Letterbox. Rules are held as A-labels, lower case.
/// </summary>
public sealed class PublicSuffixList
{
    /// <summary>Where Debian's <c>publicsuffix</c> package puts the list.</summary>
    public const string SystemPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private static readonly Lazy<PublicSuffixList> Shared = new(LoadDefault);
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = false, AllowUnassigned = true };

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList(TextReader list)
    {
        while (list.ReadLine() is { } line)
        {
            // Format (publicsuffix.org/list/): one rule per line, up to the first white space;
            // "//" comments; "*." wildcard; "!" exception.
            var rule = line.Trim();
            var space = rule.IndexOfAny([' ', '\t']);
            if (space >= 0)
            {
                rule = rule[..space];
            }
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            if (rule.StartsWith('!'))
            {
                _exceptions.Add(ToAscii(rule[1..]));
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add(ToAscii(rule[2..]));
            }
            else
            {
                _rules.Add(ToAscii(rule));
            }
        }
    }

    /// <summary>The list Letterbox uses: the system's copy when present, else the built-in one.</summary>
    public static PublicSuffixList Default => Shared.Value;

    /// <summary>Parses a list in the publicsuffix.org format.</summary>
    public static PublicSuffixList Parse(TextReader list) => new(list);

    /// <summary>
    /// The public suffix of <paramref name="host"/> ("example.co.uk" → "co.uk"). An unlisted top-level
    /// domain is its own suffix (the list's implicit "*" rule).
    /// </summary>
    public string GetPublicSuffix(string host)
    {
        var labels = Normalise(host).Split('.');
        // The longest matching rule wins; an exception rule beats every other (algorithm at publicsuffix.org/list/).
        for (var start = 0; start < labels.Length; start++)
        {
            var candidate = string.Join('.', labels, start, labels.Length - start);
            if (_exceptions.Contains(candidate))
            {
                // "!city.kawasaki.jp": the suffix is the rule minus its leftmost label.
                return string.Join('.', labels, start + 1, labels.Length - start - 1);
            }
            if (_rules.Contains(candidate))
            {
                return candidate;
            }
            if (start + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels, start + 1, labels.Length - start - 1)))
            {
                return candidate;
            }
        }
        return labels[^1];
    }

    /// <summary>
    /// The registrable (organisational) domain: the public suffix plus one label
    /// ("mail.example.co.uk" → "example.co.uk"); null when <paramref name="host"/> is itself a public suffix.
    /// </summary>
    public string? GetRegistrableDomain(string host)
    {
        var name = Normalise(host);
        var suffix = GetPublicSuffix(name);
        if (name.Length <= suffix.Length)
        {
            return null;
        }
        var rest = name[..(name.Length - suffix.Length - 1)];
        var dot = rest.LastIndexOf('.');
        return (dot < 0 ? rest : rest[(dot + 1)..]) + "." + suffix;
    }

    private static string Normalise(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return ToAscii(host.Trim().TrimEnd('.'));
    }

    private static string ToAscii(string name)
    {
        try
        {
            return Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            // Not a valid IDN (e.g. an underscore label): compare it as written.
            return name.ToLowerInvariant();
        }
    }

    private static PublicSuffixList LoadDefault()
    {
        if (File.Exists(SystemPath))
        {
            using var system = File.OpenText(SystemPath);
            return new PublicSuffixList(system);
        }
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("Letterbox.Core.Domains.public_suffix_list.dat")
            ?? throw new InvalidOperationException("The built-in Public Suffix List is missing from Letterbox.Core.");
        using var reader = new StreamReader(resource);
        return new PublicSuffixList(reader);
    }
}
