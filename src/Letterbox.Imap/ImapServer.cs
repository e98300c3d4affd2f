using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Imap;

/// <summary>What an <see cref="ImapServer"/> needs: the store, the authenticator and the configuration.</summary>
public sealed class ImapServerOptions
{
    public required IMailStore Store { get; init; }
    public required IAuthenticator Authenticator { get; init; }
    public required LetterboxOptions Options { get; init; }
    /// <summary>The server's host name (logs only; the greeting does not reveal it).</summary>
    public required string HostName { get; init; }
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>The IMAP4rev2 / IMAP4rev1 server: one <see cref="ImapSession"/> per connection.</summary>
public sealed class ImapServer : IConnectionHandler, IConnectionRefusal
{
    private readonly ImapServerOptions _options;
    private readonly ILogger _log;

    public ImapServer(ImapServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Letterbox.Imap");
    }

    /// <summary>RFC 9051 §7.1.5: BYE may be the greeting when the server will not serve the client.</summary>
    public ReadOnlyMemory<byte> TooManyConnections { get; } = "* BYE [UNAVAILABLE] Too many connections from your address, try again later\r\n"u8.ToArray();

    public async Task HandleAsync(ClientConnection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new ImapSession(connection, _options, _log);
        await using (session.ConfigureAwait(false))
        {
            await session.RunAsync(stopping).ConfigureAwait(false);
        }
    }
}
