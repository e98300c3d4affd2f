using Letterbox.Core.Options;

namespace Letterbox.Settings;

/// <summary>The protocols a mail client is told about.</summary>
public enum MailProtocol
{
    Imap,
    Pop3,
    /// <summary>Message submission (RFC 6409): never Letterbox's own port 25, which is MX only.</summary>
    Smtp,
}

/// <summary>How a client secures a connection (RFC 8314).</summary>
public enum TransportSecurity
{
    /// <summary>TLS from the first byte: IMAP 993, POP3 995, submission 465 (RFC 8314 §3.3).</summary>
    ImplicitTls,
    /// <summary>Plaintext, then STARTTLS / STLS.</summary>
    StartTls,
    /// <summary>No TLS at all (loopback-only set-ups); never published as a recommendation.</summary>
    None,
}

/// <summary>One service a client can use: protocol, host, port and security.</summary>
public sealed record MailService(MailProtocol Protocol, string Host, int Port, TransportSecurity Security)
{
    /// <summary>"SSL/TLS", "STARTTLS" or "none", the words mail clients show.</summary>
    public string SecurityLabel => Security switch
    {
        TransportSecurity.ImplicitTls => "SSL/TLS",
        TransportSecurity.StartTls => "STARTTLS",
        _ => "none",
    };

    public string ProtocolLabel => Protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop3 => "POP3",
        _ => "SMTP",
    };
}

/// <summary>
/// The client settings of one Letterbox server, the pure model every published document
/// (autoconfig, Autodiscover, Apple profile, PACC, SRV records) and the <c>serve</c> table are written from.
/// Usernames are always the full address (DESIGN.md).
/// </summary>
/// <param name="HostName">The server's host name as clients should type it (A-label form).</param>
/// <param name="Incoming">IMAP then POP3; within a protocol implicit TLS first (RFC 8314 §5.1).</param>
/// <param name="Outgoing">The submission server when one is configured (<c>ClientSettings:Outgoing</c>), else null:
/// Letterbox has no submission server, and its port 25 is for MX traffic only.</param>
public sealed record MailServerSettings(string HostName, IReadOnlyList<MailService> Incoming, MailService? Outgoing)
{
    /// <summary>Listener name, options and the port actually bound (which differs from the configured one when that is 0).</summary>
    public readonly record struct Listener(string Name, ListenerOptions Options, int Port);

    /// <summary>
    /// Builds the settings from the listeners that serve mail to clients. IMAP and POP3 listeners
    /// become incoming services; SMTP (MX), LMTP and HTTP listeners are not client mail services.
    /// </summary>
    public static MailServerSettings From(string hostName, IEnumerable<Listener> listeners, OutgoingServerOptions? outgoing)
    {
        ArgumentNullException.ThrowIfNull(hostName);
        ArgumentNullException.ThrowIfNull(listeners);
        var incoming = new List<MailService>();
        foreach (var listener in listeners)
        {
            if (!listener.Options.Enabled)
            {
                continue;
            }
            MailProtocol? protocol = listener.Options.Protocol switch
            {
                ListenerProtocol.Imap => MailProtocol.Imap,
                ListenerProtocol.Pop3 => MailProtocol.Pop3,
                _ => null,
            };
            if (protocol is { } p)
            {
                incoming.Add(new MailService(p, hostName, listener.Port, Map(listener.Options.Security)));
            }
        }
        var ordered = incoming
            .OrderBy(s => s.Protocol)
            .ThenBy(s => s.Security)
            .ThenBy(s => s.Port)
            .Distinct()
            .ToList();
        MailService? submission = null;
        if (outgoing is not null && !string.IsNullOrWhiteSpace(outgoing.Host))
        {
            submission = new MailService(MailProtocol.Smtp, outgoing.Host.Trim().TrimEnd('.').ToLowerInvariant(), outgoing.Port, Map(outgoing.Security));
        }
        return new MailServerSettings(hostName, ordered, submission);
    }

    /// <summary>From configuration alone (configured ports): what <c>letterbox dns</c> publishes.</summary>
    public static MailServerSettings FromOptions(LetterboxOptions options, string hostName)
    {
        ArgumentNullException.ThrowIfNull(options);
        return From(hostName, options.Listeners.Select(l => new Listener(l.Key, l.Value, l.Value.Port)), options.ClientSettings.Outgoing);
    }

    /// <summary>The best service of a protocol: implicit TLS before STARTTLS, never plaintext-only when TLS exists.</summary>
    public MailService? Preferred(MailProtocol protocol)
        => Incoming.Where(s => s.Protocol == protocol).OrderBy(s => s.Security).FirstOrDefault();

    private static TransportSecurity Map(ListenerSecurity security) => security switch
    {
        ListenerSecurity.ImplicitTls => TransportSecurity.ImplicitTls,
        ListenerSecurity.StartTls => TransportSecurity.StartTls,
        _ => TransportSecurity.None,
    };
}
