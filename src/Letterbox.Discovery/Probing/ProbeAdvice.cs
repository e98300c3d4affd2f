using System.Text;

namespace Letterbox.Discovery.Probing;

/// <summary>What a probe finding means and what to change, in plain words.</summary>
public static class ProbeAdvice
{
    /// <summary>"IMAP", "POP3" or "SMTP".</summary>
    public static string Name(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop3 => "POP3",
        _ => "SMTP",
    };

    /// <summary>The wrong-mode message for an implicit-TLS port probed with STARTTLS.</summary>
    public static string SpeaksTls(MailProtocol protocol, int port) =>
        $"port {port} speaks TLS at once: choose SSL/TLS, not STARTTLS{(port == SocketSecurityNames.StandardPort(protocol, SocketSecurity.StartTls) ? "" : $" (or use port {SocketSecurityNames.StandardPort(protocol, SocketSecurity.StartTls)} with STARTTLS)")}.";

    /// <summary>Nothing listens on the port.</summary>
    public static string Refused(MailProtocol protocol, string host, int port) =>
        $"nothing listens on {host}:{port} (connection refused). {Name(protocol)} usually runs on {SocketSecurityNames.StandardPort(protocol, SocketSecurity.Ssl)} (SSL/TLS) or {SocketSecurityNames.StandardPort(protocol, SocketSecurity.StartTls)} (STARTTLS): check the port number.";

    /// <summary>The certificate's problems joined, with the fix.</summary>
    public static string Certificate(string host, CertificateReport report)
    {
        var text = new StringBuilder(string.Join("; ", report.Problems));
        if (report.Problems.Any(p => p.StartsWith("certificate is for ", StringComparison.Ordinal)) && report.Names.Count > 0)
        {
            text.Append($". Use the name the certificate covers ({report.Names[0]}) as the server name, or ask the administrator for a certificate naming {host}");
        }
        else if (report.Problems.Any(p => p.Contains("expired", StringComparison.Ordinal)))
        {
            text.Append(". The administrator must renew the certificate");
        }
        else
        {
            text.Append(". Do not accept it blindly: ask the administrator for a certificate from a public CA (Let's Encrypt) or install their CA");
        }
        return text.Append('.').ToString();
    }

    /// <summary>True when the greeting is the protocol's positive greeting.</summary>
    public static bool IsGoodGreeting(MailProtocol protocol, string greeting) => protocol switch
    {
        // RFC 9051 §7.1.1 greeting: OK or PREAUTH (BYE means go away).
        MailProtocol.Imap => greeting.StartsWith("* OK", StringComparison.OrdinalIgnoreCase) || greeting.StartsWith("* PREAUTH", StringComparison.OrdinalIgnoreCase),
        MailProtocol.Pop3 => greeting.StartsWith("+OK", StringComparison.Ordinal),
        _ => greeting.StartsWith("220", StringComparison.Ordinal),
    };

    /// <summary>What a wrong greeting means (often: the port belongs to another protocol).</summary>
    public static string BadGreeting(MailProtocol protocol, string host, int port, string greeting)
    {
        var other = greeting.StartsWith("+OK", StringComparison.Ordinal) ? "POP3"
            : greeting.StartsWith("* ", StringComparison.Ordinal) ? "IMAP"
            : greeting.StartsWith("220", StringComparison.Ordinal) || greeting.StartsWith("421", StringComparison.Ordinal) ? "SMTP" : null;
        return other is not null && other != Name(protocol)
            ? $"{host}:{port} speaks {other}, not {Name(protocol)}: the port number is for another protocol."
            : $"{host}:{port} greeted with \"{Printable(Encoding.Latin1.GetBytes(greeting))}\", not a {Name(protocol)} welcome; the server refuses connections or is not a {Name(protocol)} server.";
    }

    /// <summary>True when the capabilities offer STARTTLS (IMAP, SMTP) or STLS (POP3).</summary>
    public static bool OffersStartTls(MailProtocol protocol, IReadOnlyList<string> capabilities) => protocol switch
    {
        MailProtocol.Pop3 => capabilities.Any(c => c.Equals("STLS", StringComparison.OrdinalIgnoreCase)),
        _ => capabilities.Any(c => c.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase)),
    };

    /// <summary>SASL mechanisms from IMAP AUTH=, POP3 SASL (RFC 2449 §6.3) or the SMTP AUTH extension.</summary>
    public static IReadOnlyList<string> Mechanisms(MailProtocol protocol, IReadOnlyList<string> capabilities) => protocol switch
    {
        MailProtocol.Imap => capabilities.Where(c => c.StartsWith("AUTH=", StringComparison.OrdinalIgnoreCase)).Select(c => c[5..].ToUpperInvariant()).ToArray(),
        MailProtocol.Pop3 => capabilities.Where(c => c.StartsWith("SASL ", StringComparison.OrdinalIgnoreCase)).SelectMany(c => c[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(m => m.ToUpperInvariant()).ToArray(),
        _ => capabilities.Where(c => c.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase)).SelectMany(c => c[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(m => m.ToUpperInvariant()).Distinct().ToArray(),
    };

    /// <summary>True when the bytes look like a text greeting rather than a TLS record.</summary>
    public static bool LooksLikeText(byte[] bytes) => bytes.Length > 0 && bytes[0] is not (0x15 or 0x16) && bytes.All(b => b is >= 0x20 and < 0x7F or (byte)'\r' or (byte)'\n');

    /// <summary>Bytes as printable ASCII (others as '?'), without line ends.</summary>
    public static string Printable(byte[] bytes) => new string(bytes.Where(b => b is not ((byte)'\r' or (byte)'\n')).Select(b => b is >= 0x20 and < 0x7F ? (char)b : '?').ToArray());
}
