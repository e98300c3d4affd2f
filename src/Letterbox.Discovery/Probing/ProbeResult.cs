namespace Letterbox.Discovery.Probing;

/// <summary>How a probe of one host, port and security mode ended.</summary>
public enum ProbeOutcome
{
    /// <summary>Connected, TLS (when asked) with a valid certificate, a proper greeting.</summary>
    Ok,
    /// <summary>The name has no A/AAAA record.</summary>
    NotResolved,
    /// <summary>Connection refused: nothing listens on the port.</summary>
    Refused,
    /// <summary>No answer in time (filtered port, dead host), after every retry.</summary>
    TimedOut,
    /// <summary>Asked for STARTTLS, but the port speaks TLS at once (e.g. 993/995/465).</summary>
    SpeaksTlsAtOnce,
    /// <summary>Asked for SSL/TLS, but the port sends a plaintext greeting (e.g. 143/110/587).</summary>
    SpeaksPlaintext,
    /// <summary>Plaintext greeting and no STARTTLS/STLS offered: the server cannot protect a password.</summary>
    NoTlsOffered,
    /// <summary>TLS works but the certificate is wrong (name, dates or trust): see the report.</summary>
    CertificateProblem,
    /// <summary>The TLS handshake failed for another reason (protocol version, alert).</summary>
    TlsFailed,
    /// <summary>Something answered, but not the protocol expected.</summary>
    BadGreeting,
    /// <summary>The connection dropped (reset, closed early) after every retry.</summary>
    ConnectionLost,
}

/// <summary>What a probe found; <see cref="Advice"/> says what it means and what to change.</summary>
public sealed record ProbeResult(MailProtocol Protocol, string Host, int Port, SocketSecurity Security, ProbeOutcome Outcome)
{
    public string? Address { get; init; }
    public string? Greeting { get; init; }
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    /// <summary>SASL mechanisms offered (after TLS when TLS is used).</summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];
    public CertificateReport? Certificate { get; init; }
    public string? TlsProtocol { get; init; }
    /// <summary>How many connection attempts were made (retries of transient failures included).</summary>
    public int Attempts { get; init; } = 1;
    /// <summary>Plain-language explanation and fix; null when <see cref="Outcome"/> is <see cref="ProbeOutcome.Ok"/>.</summary>
    public string? Advice { get; init; }
    public bool Succeeded => Outcome == ProbeOutcome.Ok;
}
