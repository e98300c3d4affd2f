using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Letterbox.Core.Spf;

/// <summary>
/// What SPF macros expand to (RFC 7208 §7.2). <see cref="ValidatedName"/> is the "p" macro's
/// validated domain name, looked up by the evaluator only when a macro-string asks for it.
/// </summary>
public sealed record SpfMacroContext(string Sender, string Domain, IPAddress Ip, string Helo)
{
    /// <summary>%{p}: a validated name of the client (RFC 7208 §7.3), "unknown" when there is none.</summary>
    public string ValidatedName { get; init; } = "unknown";

    /// <summary>%{r}: the host doing the check (explanations only).</summary>
    public string ReceiverHost { get; init; } = "unknown";

    /// <summary>%{t}: the time of the check (explanations only).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UnixEpoch;
}

/// <summary>SPF macro expansion (RFC 7208 §7). Pure: every value comes from the <see cref="SpfMacroContext"/>.</summary>
public static class SpfMacro
{
    /// <summary>RFC 7208 §7.1: the longest name a query may use; longer expansions lose labels on the left.</summary>
    public const int MaxDomainLength = 253;

    private const string Delimiters = ".-+,/_=";

    /// <summary>Whether a macro-string is well formed; c, r and t are allowed in explanations only (§7.2).</summary>
    public static bool IsValidMacroString(string text, bool explanation) => Expand(text, null, explanation) is not null;

    /// <summary>True when the string uses the "p" macro (so the evaluator needs the validated name first).</summary>
    public static bool UsesValidatedName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("%{p", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Expands a macro-string; null when it is malformed (a permerror). Without a context only the
    /// syntax is checked. For a domain-spec, <see cref="TruncateDomain"/> the result.
    /// </summary>
    public static string? Expand(string text, SpfMacroContext? context, bool explanation)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new StringBuilder(text.Length + 32);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                // macro-literal = %x21-24 / %x26-7E; explanations also allow spaces (§7.1 explain-string).
                if (c is < '!' or > '~' && !(explanation && c == ' '))
                {
                    return null;
                }
                output.Append(c);
                continue;
            }
            if (++i >= text.Length)
            {
                return null;
            }
            switch (text[i])
            {
                case '%':
                    output.Append('%');
                    continue;
                case '_':
                    output.Append(' ');
                    continue;
                case '-':
                    output.Append("%20");
                    continue;
                case '{':
                    break;
                default:
                    return null;
            }
            var close = text.IndexOf('}', i);
            if (close < 0)
            {
                return null;
            }
            var macro = text[(i + 1)..close];
            i = close;
            if (ExpandOne(macro, context, explanation) is not { } value)
            {
                return null;
            }
            output.Append(value);
        }
        return output.ToString();
    }

    /// <summary>RFC 7208 §7.3: drop labels on the left until the name fits in 253 octets.</summary>
    public static string TruncateDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = domain.EndsWith('.') ? domain[..^1] : domain;
        while (name.Length > MaxDomainLength)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                break;
            }
            name = name[(dot + 1)..];
        }
        return name;
    }

    /// <summary>One "%{...}": macro-letter transformers *delimiter.</summary>
    private static string? ExpandOne(string macro, SpfMacroContext? context, bool explanation)
    {
        if (macro.Length == 0)
        {
            return null;
        }
        var letter = macro[0];
        var lower = char.ToLowerInvariant(letter);
        if ("slodiphv".IndexOf(lower, StringComparison.Ordinal) < 0 && !(explanation && lower is 'c' or 'r' or 't'))
        {
            return null;
        }
        var i = 1;
        var digits = 0;
        var start = i;
        while (i < macro.Length && char.IsAsciiDigit(macro[i]))
        {
            i++;
        }
        if (i > start)
        {
            // "If a DIGIT is specified, the value MUST be nonzero" (§7.3); more than 128 parts is the limit.
            if (!int.TryParse(macro.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out digits) || digits == 0 || digits > 128)
            {
                return null;
            }
        }
        var reverse = false;
        if (i < macro.Length && macro[i] is 'r' or 'R')
        {
            reverse = true;
            i++;
        }
        var delimiters = macro[i..];
        if (delimiters.Any(d => Delimiters.IndexOf(d, StringComparison.Ordinal) < 0))
        {
            return null;
        }
        if (context is null)
        {
            return "";
        }
        var value = Value(lower, context);
        if (digits > 0 || reverse || delimiters.Length > 0)
        {
            var parts = value.Split(delimiters.Length == 0 ? ['.'] : delimiters.ToCharArray());
            if (reverse)
            {
                Array.Reverse(parts);
            }
            if (digits > 0 && digits < parts.Length)
            {
                parts = parts[^digits..];
            }
            value = string.Join('.', parts);
        }
        // §7.3: upper-case macro letters are URL-escaped after expansion.
        return char.IsUpper(letter) ? Uri.EscapeDataString(value) : value;
    }

    private static string Value(char letter, SpfMacroContext context)
    {
        var at = context.Sender.LastIndexOf('@');
        return letter switch
        {
            's' => context.Sender,
            'l' => at < 0 ? "postmaster" : context.Sender[..at],
            'o' => at < 0 ? context.Sender : context.Sender[(at + 1)..],
            'd' => context.Domain,
            'i' => DottedAddress(context.Ip),
            'p' => context.ValidatedName,
            'v' => context.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
            'h' => context.Helo,
            'c' => context.Ip.ToString(),
            'r' => context.ReceiverHost,
            't' => context.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    /// <summary>%{i}: dotted quad for IPv4; for IPv6, 32 dot-separated nibbles (§7.3).</summary>
    private static string DottedAddress(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }
        var hex = Convert.ToHexStringLower(ip.GetAddressBytes());
        return string.Join('.', hex.ToCharArray());
    }
}
