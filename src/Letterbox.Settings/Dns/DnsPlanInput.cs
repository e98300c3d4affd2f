namespace Letterbox.Settings.Dns;

/// <summary>What the DNS plan is built from; every address comes with where it came from.</summary>
/// <param name="Settings">The client settings (configured ports) of the server.</param>
/// <param name="Domains">The hosted domains to publish records for (A-label form).</param>
/// <param name="IPv4">Addresses for the host name's A records.</param>
/// <param name="IPv6">Addresses for the host name's AAAA records.</param>
/// <param name="AddressSource">Where the addresses came from, e.g. "--ipv4/--ipv6" or "detected on eth0".</param>
/// <param name="SubjectPublicKeyInfo">DER SubjectPublicKeyInfo of the current certificate (TLSA 3 1 1), or null.</param>
/// <param name="MtaStsMode">RFC 8461 mode: testing, enforce or none.</param>
/// <param name="MtaStsMaxAgeSeconds">RFC 8461 max_age.</param>
/// <param name="SmtpPort">The MX listener's port, normally 25; null when no SMTP listener is enabled.</param>
/// <param name="HttpsPort">The https listener's port (443); null when none is enabled, and then no HTTPS-served record is published.</param>
public sealed record DnsPlanInput(
    MailServerSettings Settings,
    IReadOnlyList<string> Domains,
    IReadOnlyList<string> IPv4,
    IReadOnlyList<string> IPv6,
    string AddressSource,
    byte[]? SubjectPublicKeyInfo,
    string MtaStsMode,
    int MtaStsMaxAgeSeconds,
    int? SmtpPort,
    int? HttpsPort);
