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
    public Pop3Options Pop3 { get; set; } = new();
    public SmtpOptions Smtp { get; set; } = new();
    public DnsOptions Dns { get; set; } = new();
    public DiscoverOptions Discover { get; set; } = new();
    public ClientSettingsOptions ClientSettings { get; set; } = new();
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
    /// <summary>
    /// A Unix domain socket to listen on instead of Address and Port (for LMTP from Postfix or Exim on the
    /// same machine); a relative path is under the data directory, so "lmtp.sock" is data/lmtp.sock.
    /// </summary>
    public string? Path { get; set; }
    /// <summary>Permissions of the socket file given by Path, in octal ("0660": owner and group may connect).</summary>
    public string SocketMode { get; set; } = "0660";
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
    /// <summary>How long a successful password verification is remembered (0: never); see docs/configuration.md.</summary>
    public int VerifiedLoginCacheSeconds { get; set; } = 300;
}

public sealed class AccountOptions
{
    /// <summary>Compare local parts case-sensitively (RFC 5321 allows it; almost nobody wants it).</summary>
    public bool LocalPartCaseSensitive { get; set; }
    /// <summary>Minimum password length for new passwords.</summary>
    public int MinPasswordLength { get; set; } = 10;
    /// <summary>Octets of mail each account may keep (the sum of its messages' sizes); 0 = unlimited.</summary>
    public long DefaultQuotaBytes { get; set; }
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
    /// <summary>
    /// Seconds an account stays open (its database, writer and caches) after its last session or
    /// delivery ended; 0 closes it as soon as nothing uses it. Longer saves re-opening busy
    /// accounts, shorter gives memory back sooner.
    /// </summary>
    public int AccountIdleSeconds { get; set; } = 5 * 60;
}

/// <summary>
/// POP3 behaviour. The three per-account switches are set here for everyone and may be overridden
/// per domain ("example.org") or per user ("alice@example.org") in <see cref="Overrides"/>.
/// </summary>
public sealed class Pop3Options
{
    /// <summary>Whether users may log in over POP3 at all.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Mark messages \Seen (read in IMAP) when a POP3 client retrieves them with RETR and then QUITs.</summary>
    public bool MarkSeenOnRetrieve { get; set; }
    /// <summary>Delete messages retrieved with RETR at QUIT even without DELE (advertised as EXPIRE 0, RFC 2449 §6.7).</summary>
    public bool DeleteOnRetrieve { get; set; }
    /// <summary>Minimum seconds between two POP3 logins to one account (RFC 2449 §6.5 LOGIN-DELAY); 0: none.</summary>
    public int LoginDelaySeconds { get; set; }
    /// <summary>Idle time allowed after login, in seconds: at least 10 minutes per RFC 1939 §3.</summary>
    public int IdleSeconds { get; set; } = 10 * 60;
    /// <summary>Per-domain or per-user settings, keyed by domain or full address; an address wins over its domain.</summary>
    public Dictionary<string, Pop3AccountOptions> Overrides { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The effective settings for <paramref name="address"/> (canonical login, user@domain).</summary>
    public Pop3AccountOptions For(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        var domain = at < 0 ? null : address[(at + 1)..];
        Overrides.TryGetValue(address, out var user);
        Pop3AccountOptions? byDomain = null;
        if (domain is not null)
        {
            Overrides.TryGetValue(domain, out byDomain);
        }
        return new Pop3AccountOptions
        {
            Enabled = user?.Enabled ?? byDomain?.Enabled ?? Enabled,
            MarkSeenOnRetrieve = user?.MarkSeenOnRetrieve ?? byDomain?.MarkSeenOnRetrieve ?? MarkSeenOnRetrieve,
            DeleteOnRetrieve = user?.DeleteOnRetrieve ?? byDomain?.DeleteOnRetrieve ?? DeleteOnRetrieve,
        };
    }
}

/// <summary>POP3 switches for one domain or user; a null value inherits from the domain, then from <see cref="Pop3Options"/>.</summary>
public sealed class Pop3AccountOptions
{
    public bool? Enabled { get; set; }
    public bool? MarkSeenOnRetrieve { get; set; }
    public bool? DeleteOnRetrieve { get; set; }
}

/// <summary>Inbound SMTP (MX) and LMTP limits; the message size limit is <see cref="LimitOptions.MaxMessageSize"/>.</summary>
public sealed class SmtpOptions
{
    /// <summary>Recipients accepted per message; RFC 5321 §4.5.3.1.8 asks for at least 100.</summary>
    public int MaxRecipients { get; set; } = 100;
    /// <summary>Refused commands (4xx/5xx replies) in one session before it is closed with 421.</summary>
    public int MaxErrors { get; set; } = 10;
    /// <summary>Commands other than MAIL, RCPT and DATA (NOOP, RSET, VRFY, HELO...) allowed between two transactions before the session is closed with 421.</summary>
    public int MaxCommandsWithoutMail { get; set; } = 50;
    /// <summary>Time to wait for the next command, in seconds (RFC 5321 §4.5.3.2.7: at least 5 minutes).</summary>
    public int CommandTimeoutSeconds { get; set; } = 300;
    /// <summary>Time to wait for more message data during DATA, in seconds (RFC 5321 §4.5.3.2.6: at least 3 minutes; 10 here).</summary>
    public int DataTimeoutSeconds { get; set; } = 600;
    /// <summary>Check SPF, DKIM, DMARC and ARC on mail received over SMTP and record an Authentication-Results header (RFC 8601).</summary>
    public bool AuthenticationChecks { get; set; } = true;
    /// <summary>The same checks over LMTP; off because the MTA in front has done them (and LMTP's client address is that MTA's).</summary>
    public bool LmtpAuthenticationChecks { get; set; }
    /// <summary>Refuse (550 5.7.1) mail failing DMARC whose domain publishes p=reject; off: deliver it to the Junk mailbox.</summary>
    public bool RejectDmarcFailures { get; set; }
    /// <summary>Answer 451 4.4.3 (try later) when a DNS error leaves DMARC undecided; off: deliver with "temperror" recorded.</summary>
    public bool DeferOnDnsErrors { get; set; }
    /// <summary>Time for all the DNS work of checking one message, in seconds (RFC 7208 §4.6.4: at least 20 for SPF); each query's own timeout is Dns:TimeoutMs.</summary>
    public int AuthenticationTimeoutSeconds { get; set; } = 20;
    /// <summary>
    /// Milliseconds to wait before the SMTP greeting; a client that talks first gets 554 5.5.0 and is
    /// disconnected (RFC 5321 §4.3.1: the client waits for the greeting). 0 (the default): greet at once. Not applied to LMTP.
    /// </summary>
    public int GreetingDelayMs { get; set; }
}

/// <summary>What the published client settings (autoconfig, Autodiscover, profiles, DNS plan) say beyond the listeners.</summary>
public sealed class ClientSettingsOptions
{
    /// <summary>
    /// The submission server users send through, when it is not Letterbox (Letterbox has none: its port 25
    /// is for MX traffic). Unset: no outgoing server is published.
    /// </summary>
    public OutgoingServerOptions? Outgoing { get; set; }
    /// <summary>MTA-STS policy mode (RFC 8461 §5): "testing" (reports only) or "enforce". "none" withdraws a policy.</summary>
    public string MtaStsMode { get; set; } = "testing";
    /// <summary>MTA-STS policy max_age in seconds (RFC 8461 §3.2); one week by default.</summary>
    public int MtaStsMaxAgeSeconds { get; set; } = 7 * 24 * 3600;
    /// <summary>Largest HTTP request body accepted (Autodiscover POST), in bytes.</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
    /// <summary>Largest HTTP request line plus headers, in bytes.</summary>
    public int MaxRequestHeaderBytes { get; set; } = 8 * 1024;
    /// <summary>Time allowed for a whole HTTP request to arrive, in seconds.</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;
}

/// <summary>A submission server elsewhere (RFC 6409): host, port and security.</summary>
public sealed class OutgoingServerOptions
{
    public string Host { get; set; } = "";
    /// <summary>465 with ImplicitTls (RFC 8314 §3.3) or 587 with StartTls.</summary>
    public int Port { get; set; } = 465;
    public ListenerSecurity Security { get; set; } = ListenerSecurity.ImplicitTls;
}
