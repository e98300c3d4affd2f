namespace Letterbox.Core;

/// <summary>
/// A validated DNS host name in lower-case A-label form (RFC 952/1123 LDH labels of 1-63 octets,
/// 253 in all, IDNA UTS #46 for internationalised names, case-folded per RFC 4343).
/// </summary>
public readonly record struct HostName(string Value)
{
    public override string ToString() => Value;

    /// <summary>The name for people: U-labels where the name is internationalised.</summary>
    public string Display => HostNameRules.ToUnicode(Value);

    /// <summary>Validates and normalises <paramref name="input"/>; the error names the rule broken.</summary>
    public static bool TryParse(string? input, bool requireFullyQualified, out HostName host, out string? error)
        => HostNameRules.TryParse(input, requireFullyQualified, out host, out error);
}
