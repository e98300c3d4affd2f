namespace Letterbox.Discovery;

/// <summary>The mail protocols a client is configured for.</summary>
public enum MailProtocol
{
    Imap,
    Pop3,
    Smtp,
}

/// <summary>How a connection is secured (Thunderbird's socketType; RFC 8314 prefers <see cref="Ssl"/>).</summary>
public enum SocketSecurity
{
    /// <summary>Implicit TLS from the first byte (993, 995, 465).</summary>
    Ssl,
    /// <summary>Plaintext greeting, then STARTTLS/STLS (143, 110, 587).</summary>
    StartTls,
    /// <summary>No TLS at all: passwords travel in clear. Never chosen silently.</summary>
    None,
}

/// <summary>How far an answer can be believed, best first.</summary>
public enum SettingsTrust
{
    /// <summary>A real connection showed the server answering with valid TLS.</summary>
    Verified,
    /// <summary>Letterbox's provider table (researched, with a cited source).</summary>
    ProviderTable,
    /// <summary>Fetched over HTTPS with a valid certificate (autoconfig, ISPDB, Autodiscover).</summary>
    Https,
    /// <summary>From DNS (RFC 6186 SRV records); DNS answers are not authenticated without DNSSEC.</summary>
    Dns,
    /// <summary>Fetched over plain HTTP: anyone on the path could have changed it.</summary>
    Http,
    /// <summary>A guessed host that answered, but with a certificate or security problem.</summary>
    Guessed,
}

/// <summary>One server a client should use, and where the answer came from.</summary>
/// <param name="Protocol">IMAP, POP3 or SMTP.</param>
/// <param name="Host">Host name (lower case, A-label form).</param>
/// <param name="Port">TCP port.</param>
/// <param name="Security">Implicit TLS, STARTTLS or none.</param>
/// <param name="Username">The username to type, placeholders already filled in.</param>
/// <param name="Source">Where it came from (a URL, "provider table: …", "DNS SRV _imaps._tcp.example.com").</param>
/// <param name="Trust">How far to believe it.</param>
public sealed record ServerSetting(MailProtocol Protocol, string Host, int Port, SocketSecurity Security, string Username, string Source, SettingsTrust Trust)
{
    /// <summary>Warnings found along the way (certificate problems, plaintext only, http source).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Provider notes (app passwords, "enable IMAP first"...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Security and port names as people and Thunderbird write them.</summary>
public static class SocketSecurityNames
{
    /// <summary>Thunderbird's socketType spelling: SSL, STARTTLS, plain.</summary>
    public static string ToSocketType(this SocketSecurity security) => security switch
    {
        SocketSecurity.Ssl => "SSL",
        SocketSecurity.StartTls => "STARTTLS",
        _ => "plain",
    };

    /// <summary>Parses SSL/TLS, STARTTLS or none/plain (case-insensitive); null when unknown.</summary>
    public static SocketSecurity? Parse(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "SSL" or "TLS" or "SSL/TLS" or "IMPLICIT" => SocketSecurity.Ssl,
        "STARTTLS" or "STLS" => SocketSecurity.StartTls,
        "NONE" or "PLAIN" or "PLAINTEXT" => SocketSecurity.None,
        _ => null,
    };

    /// <summary>The standard port for a protocol and security (RFC 8314 §7.3, RFC 6409).</summary>
    public static int StandardPort(MailProtocol protocol, SocketSecurity security) => (protocol, security) switch
    {
        (MailProtocol.Imap, SocketSecurity.Ssl) => 993,
        (MailProtocol.Imap, _) => 143,
        (MailProtocol.Pop3, SocketSecurity.Ssl) => 995,
        (MailProtocol.Pop3, _) => 110,
        (MailProtocol.Smtp, SocketSecurity.Ssl) => 465,
        _ => 587,
    };
}
