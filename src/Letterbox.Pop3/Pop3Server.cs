using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Pop3;

/// <summary>What a <see cref="Pop3Server"/> needs: the store, the authenticator and the configuration.</summary>
public sealed class Pop3ServerOptions
{
    public required IMailStore Store { get; init; }
    public required IAuthenticator Authenticator { get; init; }
    public required LetterboxOptions Options { get; init; }
    /// <summary>The server's host name (logs only; the greeting does not reveal it).</summary>
    public required string HostName { get; init; }
    public ILoggerFactory? LoggerFactory { get; init; }
    /// <summary>The clock for LOGIN-DELAY; the system clock unless a test gives another.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The POP3 server (RFC 1939 with RFC 2449, 2595, 5034, 6856): one <see cref="Pop3Session"/> per
/// connection, and the maildrop locks all its sessions share.
/// </summary>
public sealed class Pop3Server : IConnectionHandler, IConnectionRefusal
{
    private readonly Pop3ServerOptions _options;
    private readonly ILogger _log;
    private readonly MaildropLocks _locks;

    public Pop3Server(Pop3ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Letterbox.Pop3");
        _locks = new MaildropLocks(options.Time);
    }

    /// <summary>RFC 3206 §4: a temporary condition; the client should try again later.</summary>
    public ReadOnlyMemory<byte> TooManyConnections { get; } = "-ERR [SYS/TEMP] Too many connections, try again later\r\n"u8.ToArray();

    public async Task HandleAsync(ClientConnection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new Pop3Session(connection, _options, _locks, _log);
        await using (session.ConfigureAwait(false))
        {
            await session.RunAsync(stopping).ConfigureAwait(false);
        }
    }
}
