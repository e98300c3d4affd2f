using System.Globalization;

namespace Letterbox.Discovery.Documents;

/// <summary>What an MTA-STS policy says (RFC 8461 §3.2).</summary>
public sealed record MtaStsPolicyInfo(string Mode, IReadOnlyList<string> MxPatterns, long MaxAgeSeconds)
{
    /// <summary>
    /// RFC 8461 §4.1: an MX host matches a pattern exactly, or a "*." pattern whose wildcard stands for
    /// exactly one leftmost label; names compare case-insensitively, without a trailing dot.
    /// </summary>
    public bool Covers(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        var host = mxHost.TrimEnd('.');
        foreach (var pattern in MxPatterns)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                var dot = host.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && host[(dot + 1)..].Equals(pattern[2..], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            else if (host.Equals(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>Reads the policy file served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 §3.2).</summary>
public static class MtaStsPolicyText
{
    /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year).</summary>
    public const long MaxAgeLimit = 31_557_600;

    /// <summary>Senders need not read more than 64 KB of policy (RFC 8461 §3.3).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Parses <paramref name="text"/>; false with <paramref name="error"/> when senders would reject it.</summary>
    public static bool TryParse(string text, out MtaStsPolicyInfo? policy, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        policy = null;
        if (text.Length > MaxLength)
        {
            error = $"policy is larger than {MaxLength} bytes";
            return false;
        }
        string? version = null;
        string? mode = null;
        string? maxAge = null;
        var mx = new List<string>();
        // §3.2: "key: value" lines ended by CRLF (LF accepted, as senders do); unknown keys are ignored;
        // only the first of a repeated key counts, except mx, which may repeat.
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "version":
                    version ??= value;
                    break;
                case "mode":
                    mode ??= value;
                    break;
                case "max_age":
                    maxAge ??= value;
                    break;
                case "mx":
                    mx.Add(value);
                    break;
            }
        }
        if (version != "STSv1")
        {
            error = version is null ? "no \"version: STSv1\" line" : $"version is \"{version}\", not STSv1";
            return false;
        }
        if (mode is not ("enforce" or "testing" or "none"))
        {
            error = mode is null ? "no mode line" : $"mode is \"{mode}\", not enforce, testing or none";
            return false;
        }
        // max_age: 1*10DIGIT, at most MaxAgeLimit.
        if (maxAge is null || maxAge.Length is 0 or > 10 || !maxAge.All(char.IsAsciiDigit)
            || long.Parse(maxAge, CultureInfo.InvariantCulture) > MaxAgeLimit)
        {
            error = maxAge is null ? "no max_age line" : $"max_age \"{maxAge}\" is not a number of seconds up to {MaxAgeLimit}";
            return false;
        }
        if (mx.Count == 0 && mode != "none")
        {
            error = $"mode {mode} without any mx line: no MX host can match";
            return false;
        }
        policy = new MtaStsPolicyInfo(mode, mx, long.Parse(maxAge, CultureInfo.InvariantCulture));
        error = null;
        return true;
    }
}
