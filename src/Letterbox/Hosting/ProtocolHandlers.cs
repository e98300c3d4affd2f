using Letterbox.Core.Options;
using Letterbox.Imap;
using Letterbox.Net;
using Letterbox.Pop3;
using Letterbox.Smtp;

namespace Letterbox.Hosting;

/// <summary>The one place that maps a listener's protocol to the server that speaks it.</summary>
public static class ProtocolHandlers
{
    /// <summary>The handler for <paramref name="protocol"/>, or null when this version does not speak it yet.</summary>
    public static IConnectionHandler? Create(ListenerProtocol protocol, ServerServices services) => protocol switch
    {
        ListenerProtocol.Imap => new ImapServer(new ImapServerOptions
        {
            Store = services.Store,
            Authenticator = services.Authenticator,
            Options = services.Options,
            HostName = services.HostName.Value,
            LoggerFactory = services.LoggerFactory,
        }),
        ListenerProtocol.Pop3 => new Pop3Server(new Pop3ServerOptions
        {
            Store = services.Store,
            Authenticator = services.Authenticator,
            Options = services.Options,
            HostName = services.HostName.Value,
            LoggerFactory = services.LoggerFactory,
        }),
        ListenerProtocol.Smtp => Smtp(services, SmtpMode.Smtp),
        ListenerProtocol.Lmtp => Smtp(services, SmtpMode.Lmtp),
        _ => null,
    };

    private static SmtpServer Smtp(ServerServices services, SmtpMode mode) => new(new SmtpServerOptions
    {
        Store = services.Store,
        Options = services.Options,
        HostName = services.HostName.Value,
        Mode = mode,
        LoggerFactory = services.LoggerFactory,
    });
}
