using System.Net;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Settings;
using Letterbox.Store;
using Letterbox.Store.Embedded;
using Microsoft.Extensions.Logging;

namespace Letterbox.Hosting;

/// <summary>
/// The running server: store, TLS and one listener per enabled protocol endpoint. Tests host it
/// in-process with ports set to 0 and read <see cref="EndPoint"/>.
/// </summary>
public sealed class LetterboxServer : IAsyncDisposable
{
    private readonly List<ConnectionListener> _listeners = [];
    private readonly SqliteAccountDirectory _directory;
    private readonly EmbeddedMailStore _store;
    private ChangeRelay? _relay;

    private LetterboxServer(ServerServices services, SqliteAccountDirectory directory, EmbeddedMailStore store)
    {
        Services = services;
        _directory = directory;
        _store = store;
    }

    public ServerServices Services { get; }
    public LetterboxOptions Options => Services.Options;
    public IAccountDirectory Directory => _directory;
    public IMailStore Store => _store;

    /// <summary>Closes the store's unused accounts and idle SQLite read connections (the quiet-time memory trim).</summary>
    public Task ReleaseIdleAsync() => _store.ReleaseIdleAsync();
    public TlsContext Tls => Services.Tls;
    public HostName HostName => Services.HostName;
    public IReadOnlyList<ConnectionListener> Listeners => _listeners;

    /// <summary>
    /// The client settings this server publishes, from its running listeners (bound ports, so a listener
    /// configured with port 0 shows the port it got) and <c>ClientSettings:Outgoing</c>.
    /// </summary>
    public MailServerSettings ClientSettings => MailServerSettings.From(
        HostName.Value,
        _listeners.Where(l => l.SocketPath is null).Select(l => new MailServerSettings.Listener(l.Name, Options.Listeners[l.Name], l.LocalEndPoint.Port)),
        Options.ClientSettings.Outgoing);

    /// <summary>The bound endpoint of a listener by its configured name (imap, imaps...).</summary>
    public IPEndPoint EndPoint(string listenerName) => Listener(listenerName).LocalEndPoint;

    /// <summary>The socket file of a Unix socket listener (one configured with Path) by its name.</summary>
    public string SocketPath(string listenerName)
        => Listener(listenerName).SocketPath ?? throw new InvalidOperationException($"listener {listenerName} is not a Unix socket listener");

    private ConnectionListener Listener(string listenerName)
        => _listeners.First(l => string.Equals(l.Name, listenerName, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Validates the configuration, opens the store, loads or creates the certificate and starts
    /// every enabled listener. Any problem an admin must fix is thrown as
    /// <see cref="ConfigurationException"/>, <see cref="CertificateException"/> or <see cref="ListenerException"/>.
    /// </summary>
    public static async Task<LetterboxServer> StartAsync(LetterboxOptions options, bool dev, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        var hostName = ResolveHostName(options, dev);
        System.IO.Directory.CreateDirectory(options.DataDirectory);
        var directory = await SqliteAccountDirectory.OpenAsync(DataLayout.DirectoryDatabase(options.DataDirectory), options.Accounts, ct).ConfigureAwait(false);
        if (options.Timeouts.AccountIdleSeconds < 0)
        {
            await directory.DisposeAsync().ConfigureAwait(false);
            throw new ConfigurationException($"Timeouts:AccountIdleSeconds is {options.Timeouts.AccountIdleSeconds}: it must be 0 (close accounts as soon as unused) or more");
        }
        var store = EmbeddedMailStore.Open(options.DataDirectory, directory, loggerFactory, options.Limits.MaxMessageSize, TimeSpan.FromSeconds(options.Timeouts.AccountIdleSeconds));
        store.QuotaBytes = options.Accounts.DefaultQuotaBytes;
        Spool.Sweep(options.DataDirectory, Spool.SweepAge, TimeProvider.System);
        var tls = LoadCertificate(options, hostName, dev);
        var services = new ServerServices(options, hostName, store, Authenticator(directory, options), tls, loggerFactory);
        var server = new LetterboxServer(services, directory, store);
        try
        {
            server.StartListeners();
            server._relay = ChangeRelay.Listen(DataLayout.NotifySocket(options.DataDirectory), store.Changes, loggerFactory.CreateLogger<ChangeRelay>());
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    /// <summary>Password logins, remembering successful verifications for <c>Auth:VerifiedLoginCacheSeconds</c>.</summary>
    public static PasswordAuthenticator Authenticator(IAccountDirectory directory, LetterboxOptions options) =>
        new(directory, Math.Max(2, Environment.ProcessorCount),
            options.Auth.VerifiedLoginCacheSeconds > 0 ? new VerifiedLoginCache(TimeSpan.FromSeconds(options.Auth.VerifiedLoginCacheSeconds)) : null);

    /// <summary>The host name from configuration, else the machine's; validated (RFC 1123, IDNA) and fully qualified outside dev mode.</summary>
    public static HostName ResolveHostName(LetterboxOptions options, bool dev)
    {
        var configured = options.HostName;
        var candidate = string.IsNullOrWhiteSpace(configured) ? (dev ? "localhost" : Dns.GetHostName()) : configured;
        if (!HostName.TryParse(candidate, requireFullyQualified: !dev, out var host, out var error))
        {
            var where = string.IsNullOrWhiteSpace(configured)
                ? $"this machine's name '{candidate}' cannot be used as the server host name"
                : $"HostName '{candidate}' is not valid";
            throw new ConfigurationException($"{where}: {error}. Set HostName in letterbox.json or pass --hostname mail.example.com");
        }
        return host;
    }

    /// <summary>The configured PEM certificate, or the self-signed one kept in the data directory.</summary>
    public static TlsContext LoadCertificate(LetterboxOptions options, HostName hostName, bool dev)
    {
        if (!string.IsNullOrEmpty(options.Tls.CertificatePath))
        {
            return CertificateStore.LoadPem(options.Tls.CertificatePath, options.Tls.KeyPath);
        }
        string[] extra = dev ? ["localhost", "127.0.0.1", "::1"] : [];
        return CertificateStore.LoadOrCreateSelfSigned(DataLayout.TlsDirectory(options.DataDirectory), hostName.Value, extra, TimeProvider.System);
    }

    private void StartListeners()
    {
        var limiter = new ConnectionLimiter(Options.Limits.MaxConnectionsPerIp, Options.Limits.MaxConnections);
        var handlers = new Dictionary<ListenerProtocol, IConnectionHandler>();
        foreach (var (name, listener) in Options.Listeners.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!listener.Enabled)
            {
                continue;
            }
            if (!handlers.TryGetValue(listener.Protocol, out var handler))
            {
                handler = ProtocolHandlers.Create(listener.Protocol, Services, () => ClientSettings, HttpsPort)
                    ?? throw new ConfigurationException($"Listeners:{name}:Protocol {listener.Protocol} is not available in this version");
                handlers[listener.Protocol] = handler;
            }
            var binding = ListenerAddress.Binding(name, listener, Options.DataDirectory);
            var started = new ConnectionListener(binding, handler, listener.Security == ListenerSecurity.None ? null : Tls, limiter,
                TimeSpan.FromSeconds(Options.Timeouts.TlsHandshakeSeconds), Services.LoggerFactory.CreateLogger("Letterbox.Net." + name));
            _listeners.Add(started);
            started.Start();
        }
    }

    private int? HttpsPort()
        => _listeners.FirstOrDefault(l => l.ImplicitTls && Options.Listeners[l.Name].Protocol == ListenerProtocol.Http)?.LocalEndPoint.Port;

    public async ValueTask DisposeAsync()
    {
        _relay?.Dispose();
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
        await _store.DisposeAsync().ConfigureAwait(false);
        await _directory.DisposeAsync().ConfigureAwait(false);
    }
}
