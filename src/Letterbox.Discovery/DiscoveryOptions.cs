using Letterbox.Discovery.Probing;

namespace Letterbox.Discovery;

/// <summary>How <see cref="MailDiscoverer"/> searches. Every limit explicit.</summary>
public sealed class DiscoveryOptions
{
    /// <summary>The central autoconfig database (Thunderbird's ISPDB); the domain is appended.</summary>
    public string IspdbUrl { get; init; } = "https://autoconfig.thunderbird.net/v1.1/";

    /// <summary>Only the built-in provider table: no DNS, HTTP or probes.</summary>
    public bool Offline { get; init; }

    /// <summary>Limits and trust for mail server probes and HTTPS (extra trusted roots apply to both).</summary>
    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Time allowed for one HTTP(S) request.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest autoconfig/Autodiscover document read, in bytes.</summary>
    public int MaxDocumentBytes { get; init; } = Documents.AutoconfigDocument.MaxLength;

    /// <summary>
    /// Test seam: connect to another port than the URL's (443 → a port the test bound). Empty in
    /// production; the certificate is still checked against the URL's host name.
    /// </summary>
    public IReadOnlyDictionary<int, int> HttpPortOverrides { get; init; } = new Dictionary<int, int>();
}
