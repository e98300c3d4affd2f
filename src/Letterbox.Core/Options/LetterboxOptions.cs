namespace Letterbox.Core.Options;

/// <summary>
/// All of Letterbox's configuration, bound from letterbox.json, LETTERBOX__* environment
/// variables and the command line. Every property has a default and a line in docs/configuration.md.
/// </summary>
public sealed class LetterboxOptions
{
    /// <summary>The server's fully-qualified host name (banner, certificate, client settings). Default: the machine's name.</summary>
    public string? HostName { get; set; }

    /// <summary>Where the store, certificate and spool live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Listeners by name (imap, imaps, ...). Defaults fill in what is not configured.</summary>
    public Dictionary<string, ListenerOptions> Listeners { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public TlsOptions Tls { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public AccountOptions Accounts { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public TimeoutOptions Timeouts { get; set; } = new();
}

/// <summary>The protocol a listener speaks.</summary>
public enum ListenerProtocol
{
    Imap,
    Pop3,
    Smtp,
    Lmtp,
    Http,
}

/// <summary>How a listener secures its connections (RFC 8314).</summary>
public enum ListenerSecurity
{
    /// <summary>TLS from the first byte (993, 995, 465).</summary>
    ImplicitTls,
    /// <summary>Plaintext with STARTTLS/STLS offered (143, 110, 25, 587).</summary>
    StartTls,
    /// <summary>Plaintext only (LMTP on loopback).</summary>
    None,
}

public sealed class ListenerOptions
{
    public bool Enabled { get; set; } = true;
    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.Imap;
    /// <summary>Address to bind: an IP address, "*" (all IPv4 and IPv6) or "localhost".</summary>
    public string Address { get; set; } = "*";
    /// <summary>Port to bind; 0 picks a free port (tests).</summary>
    public int Port { get; set; }
    public ListenerSecurity Security { get; set; } = ListenerSecurity.StartTls;
}

public sealed class TlsOptions
{
    /// <summary>PEM certificate (chain) path. Empty: a self-signed certificate kept in the data directory.</summary>
    public string? CertificatePath { get; set; }
    /// <summary>PEM private key path (may be the same file as the certificate).</summary>
    public string? KeyPath { get; set; }
}

public sealed class AuthOptions
{
    /// <summary>Allow plaintext passwords (LOGIN, AUTH PLAIN, USER/PASS) before TLS on loopback connections.</summary>
    public bool AllowPlaintextOnLoopback { get; set; } = true;
    /// <summary>Allow plaintext passwords before TLS from anywhere. Off: strongly discouraged.</summary>
    public bool AllowPlaintextWithoutTls { get; set; }
    /// <summary>Failed logins from one address before the connection is closed.</summary>
    public int MaxFailedLogins { get; set; } = 3;
    /// <summary>Delay after the first failed login; doubled after each further one.</summary>
    public int FailedLoginDelayMs { get; set; } = 1000;
}

public sealed class AccountOptions
{
    /// <summary>Compare local parts case-sensitively (RFC 5321 allows it; almost nobody wants it).</summary>
    public bool LocalPartCaseSensitive { get; set; }
    /// <summary>Minimum password length for new passwords.</summary>
    public int MinPasswordLength { get; set; } = 10;
}

public sealed class LimitOptions
{
    /// <summary>Longest command line in octets, literals excluded.</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;
    /// <summary>Largest message accepted by APPEND (advertised as APPENDLIMIT) and delivery.</summary>
    public long MaxMessageSize { get; set; } = 64L * 1024 * 1024;
    /// <summary>Largest literal in a command other than APPEND.</summary>
    public int MaxCommandLiteralSize { get; set; } = 64 * 1024;
    /// <summary>Deepest nesting of parentheses in a command (SEARCH, FETCH).</summary>
    public int MaxNestingDepth { get; set; } = 32;
    /// <summary>Commands a client may pipeline ahead of the server's replies before it is throttled.</summary>
    public int MaxPipelinedCommands { get; set; } = 128;
    /// <summary>Simultaneous connections from one IP address, all listeners together.</summary>
    public int MaxConnectionsPerIp { get; set; } = 50;
    /// <summary>Simultaneous connections in all.</summary>
    public int MaxConnections { get; set; } = 20000;
}

public sealed class TimeoutOptions
{
    /// <summary>Idle time allowed before login, in seconds.</summary>
    public int PreAuthIdleSeconds { get; set; } = 60;
    /// <summary>Idle time allowed after login, in seconds: 30 minutes minimum per RFC 9051 §5.4.</summary>
    public int IdleSeconds { get; set; } = 30 * 60;
    /// <summary>Time allowed for a TLS handshake, in seconds.</summary>
    public int TlsHandshakeSeconds { get; set; } = 30;
}
