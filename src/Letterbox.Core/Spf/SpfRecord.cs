using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Letterbox.Core.Spf;

/// <summary>The result a matching mechanism gives (RFC 7208 §4.6.2).</summary>
public enum SpfQualifier
{
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

/// <summary>SPF mechanisms (RFC 7208 §5).</summary>
public enum SpfMechanismKind
{
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
}

/// <summary>
/// One directive: qualifier, mechanism and its argument. <see cref="DomainSpec"/> is the unexpanded
/// macro-string (null: the current domain); <see cref="Network"/> is set for ip4/ip6;
/// <see cref="Ip4Prefix"/>/<see cref="Ip6Prefix"/> are the CIDR lengths (RFC 7208 §5.6).
/// </summary>
public sealed record SpfMechanism(SpfQualifier Qualifier, SpfMechanismKind Kind, string? DomainSpec, IPAddress? Network, int Ip4Prefix = 32, int Ip6Prefix = 128)
{
    /// <summary>Mechanisms that cost a DNS lookup against the limit of 10 (RFC 7208 §4.6.4).</summary>
    public bool CountsAsLookup => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx or SpfMechanismKind.Ptr or SpfMechanismKind.Exists;
}

/// <summary>
/// A parsed SPF record (RFC 7208 §4.6, ABNF in §12): directives in order, and the redirect and exp
/// modifiers. Unknown modifiers are checked for syntax and ignored (§6).
/// </summary>
public sealed record SpfRecord(IReadOnlyList<SpfMechanism> Mechanisms, string? Redirect, string? Explanation)
{
    /// <summary>Terms of this record that query DNS, redirect included (RFC 7208 §4.6.4); includes add their own when evaluated.</summary>
    public int LookupTerms => Mechanisms.Count(m => m.CountsAsLookup) + (Redirect is null ? 0 : 1);

    /// <summary>RFC 7208 §4.5: "v=spf1" followed by a space or the end of the record, case-insensitively.</summary>
    public static bool IsSpfRecord(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (text.Length == 6 || text[6] == ' ');
    }

    /// <summary>Parses a record; the error text (for the permerror reason) when it is not valid.</summary>
    public static (SpfRecord? Record, string? Error) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsSpfRecord(text))
        {
            return (null, "not an SPF record");
        }
        var mechanisms = new List<SpfMechanism>();
        string? redirect = null;
        string? explanation = null;
        foreach (var term in text[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (ModifierName(term) is { } name)
            {
                var value = term[(name.Length + 1)..];
                if (name.Equals("redirect", StringComparison.OrdinalIgnoreCase) || name.Equals("exp", StringComparison.OrdinalIgnoreCase))
                {
                    // RFC 7208 §6: each of these may appear at most once.
                    var isRedirect = name.Length == 8;
                    if ((isRedirect ? redirect : explanation) is not null)
                    {
                        return (null, $"more than one {name.ToLowerInvariant()} modifier");
                    }
                    if (!IsDomainSpec(value))
                    {
                        return (null, $"invalid domain in {term}");
                    }
                    if (isRedirect)
                    {
                        redirect = value;
                    }
                    else
                    {
                        explanation = value;
                    }
                }
                else if (!SpfMacro.IsValidMacroString(value, explanation: false))
                {
                    return (null, $"invalid modifier {term}");
                }
                continue;
            }
            var (mechanism, error) = ParseDirective(term);
            if (mechanism is null)
            {
                return (null, error);
            }
            mechanisms.Add(mechanism);
        }
        return (new SpfRecord(mechanisms, redirect, explanation), null);
    }

    /// <summary>RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) followed by "=".</summary>
    private static string? ModifierName(string term)
    {
        var equals = term.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !char.IsAsciiLetter(term[0]))
        {
            return null;
        }
        for (var i = 1; i < equals; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(term[i]) || term[i] is '-' or '_' or '.'))
            {
                return null;
            }
        }
        return term[..equals];
    }

    private static (SpfMechanism? Mechanism, string? Error) ParseDirective(string term)
    {
        var qualifier = term[0] switch
        {
            '+' => SpfQualifier.Pass,
            '-' => SpfQualifier.Fail,
            '~' => SpfQualifier.SoftFail,
            '?' => SpfQualifier.Neutral,
            _ => (SpfQualifier?)null,
        };
        var body = qualifier is null ? term : term[1..];
        var q = qualifier ?? SpfQualifier.Pass;
        var end = body.IndexOfAny([':', '/']);
        var name = end < 0 ? body : body[..end];
        var rest = end < 0 ? "" : body[end..];
        var kind = name.ToLowerInvariant() switch
        {
            "all" => SpfMechanismKind.All,
            "include" => SpfMechanismKind.Include,
            "a" => SpfMechanismKind.A,
            "mx" => SpfMechanismKind.Mx,
            "ptr" => SpfMechanismKind.Ptr,
            "ip4" => SpfMechanismKind.Ip4,
            "ip6" => SpfMechanismKind.Ip6,
            "exists" => SpfMechanismKind.Exists,
            _ => (SpfMechanismKind?)null,
        };
        if (kind is null)
        {
            // RFC 7208 §4.6.1 / §5: an unknown mechanism is a permerror.
            return (null, $"unknown mechanism {term}");
        }
        var invalid = (SpfMechanism?)null;
        var error = $"invalid mechanism {term}";
        switch (kind.Value)
        {
            case SpfMechanismKind.All:
                return rest.Length == 0 ? (new SpfMechanism(q, SpfMechanismKind.All, null, null), null) : (invalid, error);
            case SpfMechanismKind.Include:
            case SpfMechanismKind.Exists:
                // A domain-spec is required.
                return rest.StartsWith(':') && IsDomainSpec(rest[1..]) ? (new SpfMechanism(q, kind.Value, rest[1..], null), null) : (invalid, error);
            case SpfMechanismKind.Ptr:
                if (rest.Length == 0)
                {
                    return (new SpfMechanism(q, SpfMechanismKind.Ptr, null, null), null);
                }
                return rest.StartsWith(':') && IsDomainSpec(rest[1..]) ? (new SpfMechanism(q, SpfMechanismKind.Ptr, rest[1..], null), null) : (invalid, error);
            case SpfMechanismKind.A:
            case SpfMechanismKind.Mx:
            {
                // [ ":" domain-spec ] [ dual-cidr-length ]: the CIDR suffix is taken from the end (§5.6).
                var (spec, v4, v6, ok) = SplitDualCidr(rest);
                if (!ok)
                {
                    return (invalid, error);
                }
                string? domain = null;
                if (spec.Length > 0)
                {
                    if (!spec.StartsWith(':') || !IsDomainSpec(spec[1..]))
                    {
                        return (invalid, error);
                    }
                    domain = spec[1..];
                }
                return (new SpfMechanism(q, kind.Value, domain, null, v4, v6), null);
            }
            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
            {
                if (!rest.StartsWith(':'))
                {
                    return (invalid, error);
                }
                var network = rest[1..];
                var slash = network.IndexOf('/', StringComparison.Ordinal);
                var address = slash < 0 ? network : network[..slash];
                var isV4 = kind == SpfMechanismKind.Ip4;
                var max = isV4 ? 32 : 128;
                var prefix = max;
                if (slash >= 0 && !TryCidr(network[(slash + 1)..], max, out prefix))
                {
                    return (invalid, error);
                }
                // ip4-network is a dotted quad (§5.6), not the short forms IPAddress.Parse also accepts.
                if (!IPAddress.TryParse(address, out var ip)
                    || (isV4 ? ip.AddressFamily != AddressFamily.InterNetwork || address.Count(c => c == '.') != 3 : ip.AddressFamily != AddressFamily.InterNetworkV6))
                {
                    return (invalid, error);
                }
                return (new SpfMechanism(q, kind.Value, null, ip, isV4 ? prefix : 32, isV4 ? 128 : prefix), null);
            }
            default:
                return (invalid, error);
        }
    }

    /// <summary>Splits "[:spec][/v4][//v6]" (RFC 7208 §5.6 dual-cidr-length).</summary>
    private static (string Spec, int V4, int V6, bool Ok) SplitDualCidr(string text)
    {
        var v4 = 32;
        var v6 = 128;
        var spec = text;
        var doubleSlash = spec.LastIndexOf("//", StringComparison.Ordinal);
        if (doubleSlash >= 0 && spec[(doubleSlash + 2)..].All(char.IsAsciiDigit))
        {
            if (!TryCidr(spec[(doubleSlash + 2)..], 128, out v6))
            {
                return ("", 0, 0, false);
            }
            spec = spec[..doubleSlash];
        }
        var slash = spec.LastIndexOf('/');
        if (slash >= 0 && spec[(slash + 1)..].All(char.IsAsciiDigit))
        {
            if (!TryCidr(spec[(slash + 1)..], 32, out v4))
            {
                return ("", 0, 0, false);
            }
            spec = spec[..slash];
        }
        return (spec, v4, v6, true);
    }

    /// <summary>RFC 7208 §12: "0" or a number without leading zeros, within the family's range.</summary>
    private static bool TryCidr(string text, int max, out int value)
    {
        value = 0;
        return text.Length > 0 && text.Length <= 3 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
    }

    /// <summary>
    /// RFC 7208 §7.1: domain-spec = macro-string domain-end; domain-end is "." toplabel ["."] or a
    /// macro-expand. So "a:1.2.3.4" (numeric top label) is a syntax error.
    /// </summary>
    public static bool IsDomainSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Length == 0 || !SpfMacro.IsValidMacroString(spec, explanation: false))
        {
            return false;
        }
        if (spec.EndsWith('}') || spec.EndsWith("%%", StringComparison.Ordinal) || spec.EndsWith("%_", StringComparison.Ordinal) || spec.EndsWith("%-", StringComparison.Ordinal))
        {
            return true;
        }
        var trimmed = spec.EndsWith('.') ? spec[..^1] : spec;
        var dot = trimmed.LastIndexOf('.');
        if (dot < 0)
        {
            // A single label with no macro has no "." toplabel ending.
            return false;
        }
        var top = trimmed[(dot + 1)..];
        // toplabel: alphanumerics and inner hyphens, not all digits.
        return top.Length > 0 && top.Any(char.IsAsciiLetter) && top.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && top[0] != '-' && top[^1] != '-';
    }
}
