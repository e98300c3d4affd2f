using System.Globalization;
using System.Net;

namespace Letterbox.Core;

/// <summary>
/// Host name syntax: RFC 952 / RFC 1123 §2.1 LDH labels, RFC 1035 §2.3.4 lengths, IDNA
/// (UTS #46 via ICU) for internationalised names, case folding per RFC 4343.
/// Every error is one sentence that names the rule, because people read these at a prompt.
/// </summary>
internal static class HostNameRules
{
    /// <summary>RFC 1035 §2.3.4: 63 octets per label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>RFC 1035 §2.3.4: 255 octets on the wire, which is 253 in dotted text without the root dot.</summary>
    public const int MaxNameLength = 253;

    /// <summary>Refuse to even look at absurd input (a pasted file, say) before IDNA processing.</summary>
    private const int MaxInputLength = 1024;

    // IdnMapping instances are not documented as thread-safe; they are cheap, so one per call.
    private static IdnMapping CreateMapping() => new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    public static string ToUnicode(string value)
    {
        if (string.IsNullOrEmpty(value) || !value.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            return value;
        }

        try
        {
            return CreateMapping().GetUnicode(value);
        }
        catch (ArgumentException)
        {
            // A stored name was validated on the way in; if ICU disagrees now, show it as it is.
            return value;
        }
    }

    public static bool TryParse(string? input, bool requireFullyQualified, out HostName host, out string? error)
    {
        host = default;
        error = Validate(input, requireFullyQualified, out var name);
        if (error is not null)
        {
            return false;
        }

        host = new HostName(name!);
        return true;
    }

    private static string? Validate(string? input, bool requireFullyQualified, out string? name)
    {
        name = null;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "host name is empty";
        }

        if (text.Length > MaxInputLength)
        {
            return $"host name is {text.Length} characters long: at most {MaxNameLength} octets are allowed (RFC 1035 §2.3.4)";
        }

        if (IsIpLiteral(text))
        {
            return $"'{text}' is an IP address, not a host name: use a name such as mail.example.org (RFC 1123 §2.1, RFC 5321 §5.1)";
        }

        // An absolute name ("example.org.") names the same host; the root dot is not a label.
        // UTS #46 §4 also maps the ideographic and full-width full stops to '.'.
        if (text[^1] is '.' or '\u3002' or '\uFF0E' or '\uFF61')
        {
            text = text[..^1];
            if (text.Length == 0)
            {
                return "host name '.' is the DNS root, not a host";
            }
        }

        if (!System.Text.Ascii.IsValid(text))
        {
            // UTS #46 mapping (case folding, width folding, ideographic full stops) then Punycode.
            try
            {
                text = CreateMapping().GetAscii(text);
            }
            catch (ArgumentException)
            {
                return $"'{text}' is not a valid internationalised host name (IDNA, UTS #46)";
            }
        }

        // RFC 4343: DNS names compare case-insensitively; keep one spelling.
        text = text.ToLowerInvariant();

        if (text.Length > MaxNameLength)
        {
            return $"host name is {text.Length} octets long: at most {MaxNameLength} are allowed (RFC 1035 §2.3.4)";
        }

        var labels = text.Split('.');
        foreach (var label in labels)
        {
            var labelError = CheckLabel(text, label);
            if (labelError is not null)
            {
                return labelError;
            }
        }

        // RFC 1123 §2.1 and RFC 3696 §2: the top-level label is never all-numeric, which is also
        // what tells a name from a dotted-quad address.
        var tld = labels[^1];
        if (tld.All(char.IsAsciiDigit))
        {
            return $"top-level label '{tld}' is all digits: the last label of a host name may not be numeric (RFC 1123 §2.1, RFC 3696 §2)";
        }

        if (requireFullyQualified && labels.Length < 2)
        {
            return $"'{text}' is not fully qualified: a mail host name needs at least two labels, like mail.example.org (RFC 5321 §2.3.5)";
        }

        name = text;
        return null;
    }

    private static string? CheckLabel(string name, string label)
    {
        if (label.Length == 0)
        {
            return $"host name '{name}' has an empty label (a leading dot or two dots in a row): labels are 1 to {MaxLabelLength} octets (RFC 1035 §2.3.4)";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"label '{Shorten(label)}' is {label.Length} octets long: labels may have at most {MaxLabelLength} (RFC 1035 §2.3.4)";
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return $"label '{Shorten(label)}' contains {Describe(c)}: host names may use only letters, digits and hyphens (RFC 1123 §2.1)";
            }
        }

        if (label[0] == '-')
        {
            return $"label '{label}' starts with a hyphen: labels must start and end with a letter or digit (RFC 952, RFC 1123 §2.1)";
        }

        if (label[^1] == '-')
        {
            return $"label '{label}' ends with a hyphen: labels must start and end with a letter or digit (RFC 952, RFC 1123 §2.1)";
        }

        // RFC 5890 §2.3.2.1: an "xn--" label must be a valid Punycode A-label that decodes to a valid U-label.
        if (label.StartsWith("xn--", StringComparison.Ordinal))
        {
            try
            {
                var mapping = CreateMapping();
                var unicode = mapping.GetUnicode(label);
                if (!string.Equals(mapping.GetAscii(unicode), label, StringComparison.Ordinal))
                {
                    return $"label '{label}' is not a valid A-label: it does not round-trip through IDNA (RFC 5890 §2.3.2.1)";
                }
            }
            catch (ArgumentException)
            {
                return $"label '{label}' is not a valid A-label: its Punycode does not decode to a valid name (RFC 5890 §2.3.2.1)";
            }
        }

        return null;
    }

    private static bool IsIpLiteral(string text)
    {
        // "[192.0.2.1]" / "[IPv6:...]" are address literals (RFC 5321 §4.1.3), never host names.
        if (text.StartsWith('['))
        {
            return true;
        }

        // IPAddress.TryParse also accepts "1" or "1.2" (inet_aton forms); those fail the numeric-TLD rule
        // with a clearer message, so only the dotted quad and IPv6 count here.
        return IPAddress.TryParse(text, out var address)
            && (text.Contains(':') || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') == 3));
    }

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        _ when char.IsControl(c) || char.IsWhiteSpace(c) => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    private static string Shorten(string label) => label.Length <= 40 ? label : label[..37] + "...";
}
