using Letterbox.Core.Options;
using Letterbox.Imap;
using Letterbox.Net;
using Letterbox.Pop3;
using Letterbox.Settings;
using Letterbox.Settings.Http;
using Letterbox.Smtp;

namespace Letterbox.Hosting;

/// <summary>The one place that maps a listener's protocol to the server that speaks it.</summary>
public static class ProtocolHandlers
{
    /// <summary>The handler for <paramref name="protocol"/>, or null when this version does not speak it yet.</summary>
    /// <param name="protocol">The listener's protocol.</param>
    /// <param name="services">What every handler is built from.</param>
    /// <param name="settings">The published client settings, read per request (HTTP only; null: no HTTP handler).</param>
    /// <param name="httpsPort">The bound HTTPS port for URLs pointing back to this server (HTTP only).</param>
    public static IConnectionHandler? Create(ListenerProtocol protocol, ServerServices services, Func<MailServerSettings>? settings = null, Func<int?>? httpsPort = null) => protocol switch
    {
        ListenerProtocol.Http when settings is not null => new SettingsHttpServer(
            new SettingsSite(settings, services.Store.Directory.IsLocalDomainAsync, services.Options.ClientSettings, httpsPort ?? (() => null)),
            services.Options.ClientSettings, services.LoggerFactory),
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
