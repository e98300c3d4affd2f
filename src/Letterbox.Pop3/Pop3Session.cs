using System.Buffers;
using System.IO.Pipelines;
using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Net.Auth;
using Letterbox.Pop3.Protocol;
using Letterbox.Store;
using Microsoft.Extensions.Logging;

namespace Letterbox.Pop3;

/// <summary>The session's state (RFC 1939 §3), as types: a handler that needs the maildrop gets it from <see cref="TransactionState"/>.</summary>
internal abstract record SessionState;

/// <summary>AUTHORIZATION; <paramref name="PendingUser"/> is the name given by USER, waiting for PASS.</summary>
internal sealed record AuthorizationState(string? PendingUser) : SessionState;

/// <summary>TRANSACTION: logged in, the maildrop locked and listed.</summary>
internal sealed record TransactionState(UserRecord User, Maildrop Maildrop) : SessionState;

/// <summary>What the session does after a command.</summary>
internal enum Flow
{
    Continue,
    Close,
}

/// <summary>
/// One POP3 connection: reads command lines (pipelined, RFC 2449 §6.6), checks each against the
/// <see cref="CommandTable"/>, runs it, and answers. Grammar lives in <c>Protocol/</c>; commands
/// live in <c>Commands/</c> by family.
/// </summary>
internal sealed partial class Pop3Session : IAsyncDisposable
{
    private readonly ClientConnection _connection;
    private readonly Pop3ServerOptions _server;
    private readonly MaildropLocks _locks;
    private readonly ILogger _log;
    private readonly LoginThrottle _throttle;
    private readonly CommandLineReader _lines;
    private SessionState _state = new AuthorizationState(null);
    private CancellationTokenSource? _idle;
    private SessionEnd _end = SessionEnd.ClientClosed;

    public Pop3Session(ClientConnection connection, Pop3ServerOptions server, MaildropLocks locks, ILogger log)
    {
        _connection = connection;
        _server = server;
        _locks = locks;
        _log = log;
        _throttle = new LoginThrottle(server.Options.Auth);
        _lines = new CommandLineReader(server.Options.Limits.MaxLineLength);
    }

    private LetterboxOptions Options => _server.Options;
    private PipeWriter Output => _connection.Output;
    private CancellationToken IdleToken => _idle!.Token;

    /// <summary>RFC 1939 §3: at least 10 minutes once logged in; the pre-login limit is shorter, as for IMAP.</summary>
    private TimeSpan IdleTimeout => TimeSpan.FromSeconds(_state is TransactionState
        ? Math.Max(1, Options.Pop3.IdleSeconds)
        : Math.Max(1, Options.Timeouts.PreAuthIdleSeconds));

    public async Task RunAsync(CancellationToken stopping)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _idle = idle;
        Pop3Metrics.Session.Connected(_log, _connection);
        try
        {
            // RFC 1939 §4 greeting; no APOP timestamp: only Argon2id hashes are stored, so APOP cannot be verified.
            Pop3Reply.Ok(Output, "Letterbox POP3 ready");
            await LoopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            _end = stopping.IsCancellationRequested ? SessionEnd.ServerStopping : SessionEnd.IdleTimeout;
            await SayGoodbyeAsync(_end == SessionEnd.ServerStopping
                ? "server shutting down"
                : "autologout: idle for too long").ConfigureAwait(false);
        }
        finally
        {
            Pop3Metrics.Session.Ended(_log, _connection.RemoteEndPoint, _end.ToString());
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            var (status, line) = await ReadLineAsync().ConfigureAwait(false);
            if (status == LineStatus.NeedMore)
            {
                _end = SessionEnd.ClientClosed;
                return;
            }
            if (status == LineStatus.TooLong)
            {
                Pop3Reply.Err(Output, Pop3ResponseCode.None, $"line too long (limit {_lines.MaxLineLength} octets)");
                continue;
            }
            var parsed = Pop3CommandParser.Parse(line);
            if (!parsed.IsSuccess)
            {
                Pop3Reply.Err(Output, Pop3ResponseCode.None, parsed.Error);
                continue;
            }
            var command = parsed.Command!;
            Pop3Metrics.Session.Command(command.Verb.ToString());
            var states = _state is TransactionState ? Pop3States.Transaction : Pop3States.Authorization;
            if (!CommandTable.IsAllowed(command.Verb, states))
            {
                Pop3Reply.Err(Output, Pop3ResponseCode.None, $"{Pop3CommandParser.Keyword(command.Verb)} is not allowed in the {states.ToString().ToUpperInvariant()} state");
                continue;
            }
            using var activity = Pop3Metrics.Session.Source.StartActivity("pop3 " + Pop3CommandParser.Keyword(command.Verb));
            if (await ExecuteAsync(command).ConfigureAwait(false) == Flow.Close)
            {
                if (_end != SessionEnd.TlsFailed)
                {
                    await Output.FlushAsync(IdleToken).ConfigureAwait(false);
                }
                return;
            }
        }
    }

    private Task<Flow> ExecuteAsync(Pop3Command command)
    {
        if (_state is AuthorizationState { PendingUser: not null } && command.Verb is not (Pop3Verb.Pass or Pop3Verb.Quit))
        {
            // RFC 1939 §7: after USER only PASS or QUIT continue the exchange; anything else starts over.
            _state = new AuthorizationState(null);
        }
        return command.Verb switch
        {
            Pop3Verb.Capa => Done(Capa()),
            Pop3Verb.User => Done(User(command)),
            Pop3Verb.Pass => PassAsync(command),
            Pop3Verb.Auth => AuthAsync(command),
            Pop3Verb.Stls => StlsAsync(),
            Pop3Verb.Utf8 => Done(Utf8()),
            Pop3Verb.Quit => QuitAsync(),
            _ => TransactionAsync(command, ((TransactionState)_state).Maildrop),
        };
    }

    private static Task<Flow> Done(Flow flow) => Task.FromResult(flow);

    /// <summary>
    /// Reads the next command line. Output is flushed only when no complete line is already waiting,
    /// so pipelined commands get their answers in one write (RFC 2449 §6.6).
    /// Returns NeedMore when the client has closed the connection.
    /// </summary>
    private Task<(LineStatus Status, byte[] Line)> ReadLineAsync()
        => _lines.ReadAsync(_connection, () => _idle!.CancelAfter(IdleTimeout), IdleToken);

    /// <summary>Best effort: the last words before closing (idle timeout, shutdown); the client may already be gone.</summary>
    private async Task SayGoodbyeAsync(string text)
    {
        try
        {
            Pop3Reply.Err(Output, _end == SessionEnd.ServerStopping ? Pop3ResponseCode.SysTemp : Pop3ResponseCode.None, text);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Output.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>A dropped connection leaves the maildrop untouched (RFC 1939 §6: no UPDATE without QUIT).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state is TransactionState transaction)
        {
            _state = new AuthorizationState(null);
            await transaction.Maildrop.DisposeAsync().ConfigureAwait(false);
        }
    }
}
