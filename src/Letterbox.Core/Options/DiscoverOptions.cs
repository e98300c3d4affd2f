namespace Letterbox.Core.Options;

/// <summary>How <c>letterbox discover</c> and <c>letterbox doctor</c> look for and probe servers.</summary>
public sealed class DiscoverOptions
{
    /// <summary>The central autoconfig database (Thunderbird's ISPDB); the domain is appended. Empty = not asked.</summary>
    public string IspdbUrl { get; set; } = "https://autoconfig.thunderbird.net/v1.1/";

    /// <summary>Time allowed for one connection or server reply, in milliseconds.</summary>
    public int ProbeTimeoutMs { get; set; } = 10000;

    /// <summary>Back-off before the second try of a transient failure, doubled for each further try, in milliseconds.</summary>
    public int RetryBaseDelayMs { get; set; } = 1000;

    /// <summary>Tries for a transient failure, the first included (1 to 5).</summary>
    public int MaxTries { get; set; } = 5;

    /// <summary>A PEM file of extra CA certificates to trust besides the system's (a private CA). Validation stays on.</summary>
    public string? ExtraTrustedCaFile { get; set; }
}
