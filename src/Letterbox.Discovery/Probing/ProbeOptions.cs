using System.Security.Cryptography.X509Certificates;

namespace Letterbox.Discovery.Probing;

/// <summary>Limits and trust for probes of mail servers and HTTPS fetches. Every limit explicit.</summary>
public sealed class ProbeOptions
{
    /// <summary>Time allowed for the TCP connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for each server reply (greeting, CAPABILITY, STARTTLS, TLS handshake).</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tries for a transient failure (timeout, reset, unreachable), the first included; at most 5.</summary>
    public int MaxTries { get; init; } = 5;

    /// <summary>Back-off before the second try; doubled for each further one (1 s, 2 s, 4 s, 8 s).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Extra CA certificates trusted besides the system's (a private CA; tests). Validation is never
    /// switched off: a certificate must still chain to a trusted root, be in date and name the host.
    /// </summary>
    public X509Certificate2Collection ExtraTrustedRoots { get; init; } = [];

    /// <summary>Longest protocol line accepted from a server.</summary>
    public int MaxLineLength { get; init; } = 8192;

    /// <summary>Most lines accepted in one multi-line reply (CAPA, EHLO, CAPABILITY).</summary>
    public int MaxReplyLines { get; init; } = 200;

    /// <summary>Clock for certificate expiry warnings.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The delay before try number <paramref name="attempt"/> (2, 3, ...): base × 2^(attempt−2).</summary>
    public TimeSpan BackOff(int attempt) => TimeSpan.FromTicks(RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 2, 0, 10)));

    /// <summary>The retry limit actually used (1 to 5).</summary>
    public int Tries => Math.Clamp(MaxTries, 1, 5);
}
