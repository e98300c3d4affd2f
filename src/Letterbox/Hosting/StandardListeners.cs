using Letterbox.Core.Options;

namespace Letterbox.Hosting;

/// <summary>
/// The listeners Letterbox runs unless configured otherwise, on their standard ports
/// (RFC 8314: implicit TLS preferred, STARTTLS as fallback).
/// </summary>
public static class StandardListeners
{
    public static IReadOnlyDictionary<string, ListenerOptions> Defaults { get; } = new Dictionary<string, ListenerOptions>(StringComparer.OrdinalIgnoreCase)
    {
        ["imap"] = new() { Protocol = ListenerProtocol.Imap, Port = 143, Security = ListenerSecurity.StartTls },
        ["imaps"] = new() { Protocol = ListenerProtocol.Imap, Port = 993, Security = ListenerSecurity.ImplicitTls },
        ["pop3"] = new() { Protocol = ListenerProtocol.Pop3, Port = 110, Security = ListenerSecurity.StartTls },
        ["pop3s"] = new() { Protocol = ListenerProtocol.Pop3, Port = 995, Security = ListenerSecurity.ImplicitTls },
        // RFC 5321 MX: plaintext with STARTTLS (RFC 3207); senders cannot be required to use TLS.
        ["smtp"] = new() { Protocol = ListenerProtocol.Smtp, Port = 25, Security = ListenerSecurity.StartTls },
        // RFC 2033 §5: LMTP must not be offered on port 25; 24 (private mail system) on loopback for the local MTA.
        ["lmtp"] = new() { Protocol = ListenerProtocol.Lmtp, Port = 24, Security = ListenerSecurity.None, Address = "127.0.0.1" },
        // Client settings (autoconfig, Autodiscover, Apple profile, PACC, MTA-STS policy): Thunderbird tries
        // http:// for autoconfig; Outlook, Apple and MTA-STS senders need https:// with the server's certificate.
        ["http"] = new() { Protocol = ListenerProtocol.Http, Port = 80, Security = ListenerSecurity.None },
        ["https"] = new() { Protocol = ListenerProtocol.Http, Port = 443, Security = ListenerSecurity.ImplicitTls },
    };

    /// <summary>
    /// Puts the standard listeners into <paramref name="options"/> before configuration is bound, so a
    /// configuration that names one (say <c>imaps</c>) changes only the keys it gives.
    /// </summary>
    public static void AddDefaults(LetterboxOptions options)
    {
        foreach (var (name, listener) in Defaults)
        {
            options.Listeners[name] = new ListenerOptions
            {
                Protocol = listener.Protocol,
                Port = listener.Port,
                Security = listener.Security,
                Address = listener.Address,
            };
        }
    }

    /// <summary><c>--dev</c>: bind 127.0.0.1 and add the port offset to every non-zero port.</summary>
    public static void ApplyDev(LetterboxOptions options, int portOffset)
    {
        foreach (var listener in options.Listeners.Values)
        {
            listener.Address = "127.0.0.1";
            if (listener.Port != 0)
            {
                listener.Port += portOffset;
            }
        }
    }
}
