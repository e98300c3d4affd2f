using System.Globalization;

namespace Letterbox.Smtp.Authentication;

/// <summary>A DMARC policy (RFC 7489 §6.3 "p" and "sp").</summary>
public enum DmarcPolicy
{
    None,
    Quarantine,
    Reject,
}

/// <summary>Identifier alignment mode (RFC 7489 §3.1): relaxed compares organisational domains, strict the exact domain.</summary>
public enum DmarcAlignment
{
    Relaxed,
    Strict,
}

/// <summary>
/// A parsed DMARC record (RFC 7489 §6.3). <see cref="SubdomainPolicy"/> is null when "sp" is absent
/// (then "p" applies to subdomains too). Reporting tags (rua, ruf, fo, rf, ri) are read but not used:
/// Letterbox does not send DMARC reports.
/// </summary>
public sealed record DmarcRecord(
    DmarcPolicy Policy,
    DmarcPolicy? SubdomainPolicy,
    DmarcAlignment DkimAlignment,
    DmarcAlignment SpfAlignment,
    int Percent)
{
    /// <summary>RFC 7489 §6.6.3: the record starts with "v=DMARC1" (the tag name and value as given, spaces around "=" allowed).</summary>
    public static bool IsDmarcRecord(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.Split(';', 2)[0].Split('=', 2);
        return first.Length == 2 && first[0].Trim() == "v" && first[1].Trim() == "DMARC1";
    }

    /// <summary>
    /// Parses a record; null with a reason when it is unusable. A missing or invalid "p" is tolerated
    /// only when "rua" is present, and then means p=none (§6.6.3); bad values of optional tags fall
    /// back to their defaults (§6.3: unknown tags are ignored, the record stays useful).
    /// </summary>
    public static (DmarcRecord? Record, string? Error) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsDmarcRecord(text))
        {
            return (null, "not a DMARC record");
        }
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';').Skip(1))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2 || pair[0].Trim().Length == 0)
            {
                if (part.Trim().Length == 0)
                {
                    continue;
                }
                return (null, $"malformed tag \"{part.Trim()}\"");
            }
            // The first occurrence of a tag counts.
            tags.TryAdd(pair[0].Trim(), pair[1].Trim());
        }
        var policy = tags.TryGetValue("p", out var p) ? ParsePolicy(p) : null;
        if (policy is null)
        {
            if (!tags.ContainsKey("rua"))
            {
                return (null, "missing or invalid p= tag");
            }
            policy = DmarcPolicy.None;
        }
        var subdomain = tags.TryGetValue("sp", out var sp) ? ParsePolicy(sp) : null;
        var percent = 100;
        if (tags.TryGetValue("pct", out var pct) && int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 100)
        {
            percent = value;
        }
        return (new DmarcRecord(policy.Value, subdomain, ParseAlignment(tags.GetValueOrDefault("adkim")), ParseAlignment(tags.GetValueOrDefault("aspf")), percent), null);
    }

    private static DmarcPolicy? ParsePolicy(string value) => value.ToLowerInvariant() switch
    {
        "none" => DmarcPolicy.None,
        "quarantine" => DmarcPolicy.Quarantine,
        "reject" => DmarcPolicy.Reject,
        _ => null,
    };

    private static DmarcAlignment ParseAlignment(string? value) =>
        string.Equals(value, "s", StringComparison.OrdinalIgnoreCase) ? DmarcAlignment.Strict : DmarcAlignment.Relaxed;
}
