using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Letterbox.Core.Options;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Net;
using Letterbox.Net.Auth;
using Letterbox.Store;
using Microsoft.Extensions.Logging;

namespace Letterbox.Imap;

/// <summary>
/// One IMAP connection: reads commands (lines and literals) from the connection's pipe, checks
/// each literal against its limit before the "+" continuation, parses, dispatches through the
/// <see cref="CommandTable"/> and writes responses straight into the output pipe.
/// </summary>
public sealed partial class ImapSession : IAsyncDisposable
{
    /// <summary>APPEND literals above this size are spooled to a temporary file instead of memory.</summary>
    public const int SpoolThreshold = 64 * 1024;

    private readonly ClientConnection _connection;
    private readonly ImapServerOptions _server;
    private readonly ILogger _log;
    private readonly ParserLimits _parserLimits;
    private readonly LoginThrottle _throttle;
    private IMailAccount? _account;

    internal ImapSession(ClientConnection connection, ImapServerOptions server, ILogger log)
    {
        _connection = connection;
        _server = server;
        _log = log;
        _throttle = new LoginThrottle(server.Options.Auth);
        Output = new ResponseOutput(() => _connection.Output);
        _parserLimits = new ParserLimits
        {
            MaxDepth = server.Options.Limits.MaxNestingDepth,
            MaxStringLiteral = server.Options.Limits.MaxCommandLiteralSize,
        };
    }

    internal ResponseOutput Output { get; }
    internal SessionState State { get; set; } = NotAuthenticatedState.Instance;
    internal ClientConnection Connection => _connection;
    internal LetterboxOptions Options => _server.Options;
    internal IMailStore Store => _server.Store;
    internal IAuthenticator Authenticator => _server.Authenticator;
    internal ILogger Log => _log;

    /// <summary>ENABLE IMAP4rev2 was sent: rev2 rules (no \Recent, ESEARCH answers, UTF-8 names).</summary>
    internal bool Rev2 { get; set; }

    /// <summary>UTF-8 mailbox names and strings (IMAP4rev2 or UTF8=ACCEPT enabled).</summary>
    internal bool Utf8
    {
        get => Output.Utf8;
        set => Output.Utf8 = value;
    }

    /// <summary>UTF8=ACCEPT was enabled (RFC 6855).</summary>
    internal bool Utf8Enabled { get; set; }

    /// <summary>A CONDSTORE enabling command was seen (RFC 7162 §3.1): every FETCH response carries MODSEQ.</summary>
    internal bool CondStore { get; private set; }

    /// <summary>ENABLE QRESYNC was answered (RFC 7162 §3.2.3): UIDs in every FETCH, VANISHED instead of EXPUNGE.</summary>
    internal bool QResync { get; private set; }

    /// <summary>
    /// Marks the client CONDSTORE-aware. RFC 7162 §3.1: the first enabling command issued with a
    /// mailbox selected makes the server report the mailbox's HIGHESTMODSEQ.
    /// </summary>
    internal void EnableCondStore()
    {
        if (CondStore)
        {
            return;
        }
        CondStore = true;
        if (State is SelectedState selected)
        {
            Output.Raw("* OK [HIGHESTMODSEQ "u8).Number(selected.View.HighestModSeq).Raw("] Highest\r\n"u8);
        }
    }

    /// <summary>ENABLE QRESYNC (implies CONDSTORE, RFC 7162 §3.2.3).</summary>
    internal void EnableQResync()
    {
        EnableCondStore();
        QResync = true;
    }

    /// <summary>Sends the selected mailbox's pending updates in the form this client enabled.</summary>
    internal Task RefreshAsync(SelectedState selected, bool allowExpunge, CancellationToken ct) =>
        selected.View.RefreshAsync(selected.Account, Output, allowExpunge, withUid: QResync, withModSeq: CondStore, vanished: QResync, ct);

    /// <summary>Set by STARTTLS: the handshake runs after the tagged OK is flushed.</summary>
    internal bool TlsRequested { get; set; }

    /// <summary>Set by a handler that ended the session (LOGOUT, too many failed logins, IDLE timeout).</summary>
    internal bool Closing => CloseReason is not null;

    /// <summary>A "* BYE" text to send after the command's tagged completion (too many failed logins).</summary>
    internal string? ByeAfterCompletion { get; set; }

    /// <summary>Why the session is ending, for the connection-end metric and log; null while it runs.</summary>
    internal string? CloseReason { get; set; }

    internal string UserName => State is AuthenticatedState a ? a.Account.User.Address : "-";

    /// <summary>RFC 9051 §11.1 / RFC 8314: the shared plaintext policy (TLS, or loopback / everywhere when configured).</summary>
    internal bool PlaintextAuthAllowed => PlaintextAuthPolicy.Allows(Options.Auth, _connection);

    internal async Task RunAsync(CancellationToken stopping)
    {
        ImapMetrics.Session.Connected(_log, _connection);
        var reason = "client closed the connection";
        try
        {
            Output.Raw("* OK [CAPABILITY "u8).Text(Capabilities.For(this)).Raw("] Letterbox ready\r\n"u8);
            await Output.FlushAsync(stopping).ConfigureAwait(false);
            reason = await CommandLoopAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            reason = "server stopping";
            await TryWriteAsync("* BYE Server shutting down\r\n").ConfigureAwait(false);
        }
        catch (IOException)
        {
            reason = "connection lost";
        }
        finally
        {
            ImapMetrics.Session.Ended(_log, _connection.RemoteEndPoint, reason);
        }
    }

    private async Task TryWriteAsync(string line)
    {
        try
        {
            Output.Text(line);
            await Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is already gone.
        }
    }

    private TimeSpan IdleTimeout => State is NotAuthenticatedState
        ? TimeSpan.FromSeconds(Options.Timeouts.PreAuthIdleSeconds)
        : TimeSpan.FromSeconds(Options.Timeouts.IdleSeconds);

    /// <summary>A token that fires after the idle timeout (or when the server stops).</summary>
    internal CancellationTokenSource StartIdleTimer(CancellationToken stopping)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        cts.CancelAfter(IdleTimeout);
        return cts;
    }

    private async Task<string> CommandLoopAsync(CancellationToken stopping)
    {
        var batch = 0;
        while (true)
        {
            ReadOutcome outcome;
            using (var idle = StartIdleTimer(stopping))
            {
                try
                {
                    outcome = await ReadCommandAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // RFC 9051 §7.1.5: BYE before closing an idle connection.
                    await TryWriteAsync("* BYE Autologout; idle for too long\r\n").ConfigureAwait(false);
                    return "idle timeout";
                }
            }
            if (outcome.EndOfInput)
            {
                return "client closed the connection";
            }
            if (outcome.Input is { } input)
            {
                using (input)
                {
                    await ExecuteAsync(input, outcome.Tag, stopping).ConfigureAwait(false);
                }
            }
            else
            {
                ImapLog.BadCommand(_log, _connection.RemoteEndPoint, outcome.ErrorText!);
                WriteTagged(outcome.Tag, outcome.Error, outcome.ErrorText!);
            }
            batch++;
            if (Closing)
            {
                await Output.FlushAsync(stopping).ConfigureAwait(false);
                return CloseReason!;
            }
            if (TlsRequested)
            {
                TlsRequested = false;
                await Output.FlushAsync(stopping).ConfigureAwait(false);
                await _connection.UpgradeToTlsAsync(stopping).ConfigureAwait(false);
                batch = 0;
                continue;
            }
            // Flush once per batch of pipelined commands: keep going while more input is buffered.
            if (batch >= Options.Limits.MaxPipelinedCommands || !HasBufferedInput())
            {
                await Output.FlushAsync(stopping).ConfigureAwait(false);
                batch = 0;
            }
        }
    }

    private bool HasBufferedInput()
    {
        var input = _connection.Input;
        if (input.TryRead(out var result))
        {
            var more = !result.Buffer.IsEmpty;
            input.AdvanceTo(result.Buffer.Start);
            return more;
        }
        return false;
    }

    private async Task ExecuteAsync(CommandInput input, string tag, CancellationToken ct)
    {
        var parsed = CommandParser.Parse(input, _parserLimits);
        if (!parsed.Success)
        {
            ImapLog.BadCommand(_log, _connection.RemoteEndPoint, parsed.ErrorText ?? "unparsable");
            WriteTagged(parsed.Tag, parsed.IsBad ? ResultStatus.Bad : ResultStatus.No, parsed.ErrorText ?? "Invalid command");
            return;
        }
        var command = parsed.Command!;
        var entry = CommandTable.Entries[command.Name];
        ImapMetrics.Session.Command(command.Name.ToString());
        if ((entry.States & State.Kind) == 0)
        {
            DisposeLiterals(command);
            WriteTagged(command.Tag, ResultStatus.Bad, StateError(State.Kind));
            return;
        }
        CommandResult result;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // One activity per command when something listens (no name built otherwise); tags carry no mail content.
        using var activity = ImapMetrics.Session.Source.HasListeners() ? ImapMetrics.Session.Source.StartActivity("imap " + command.Name) : null;
        try
        {
            result = await entry.Handler(this, command, ct).ConfigureAwait(false);
        }
        catch (MailStoreException e)
        {
            result = StoreErrors.ToResult(e);
        }
        catch (Exception e) when (e is not IOException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            ImapLog.CommandFailed(_log, e, command.Name.ToString(), UserName);
            result = CommandResult.No("Internal error; the server's log has details", "SERVERBUG");
        }
        if (State is SelectedState selected && !Closing)
        {
            try
            {
                await RefreshAsync(selected, entry.AllowsExpungeAfter(command), ct).ConfigureAwait(false);
            }
            catch (MailStoreException e) when (e.Error == MailStoreError.NonExistent)
            {
                // Another session deleted the selected mailbox: its message numbers cannot be kept
                // in step any more, so end the session after this command, as Dovecot does
                // (RFC 9051 §7.1.5 BYE); clients reconnect and list the mailboxes afresh.
                ByeAfterCompletion = "Selected mailbox was deleted by another session";
                CloseReason = "selected mailbox deleted";
            }
        }
        activity?.SetTag("imap.status", result.Status.ToString());
        ImapMetrics.CommandDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("command", command.Name.ToString()),
            new KeyValuePair<string, object?>("status", result.Status.ToString()));
        WriteTagged(command.Tag, result.Status, result.Text, result.Code);
        if (ByeAfterCompletion is { } bye)
        {
            Output.Raw("* BYE "u8).Text(bye).Crlf();
        }
    }

    private static void DisposeLiterals(ImapCommand command)
    {
        if (command is AppendCommand append)
        {
            foreach (var m in append.Messages)
            {
                m.Content.Dispose();
            }
        }
    }

    private static string StateError(SessionStates state) => state switch
    {
        SessionStates.NotAuthenticated => "Log in first",
        SessionStates.Authenticated => "Select a mailbox first, or command not allowed after login",
        _ => "Command not allowed in this state",
    };

    internal void WriteTagged(string tag, ResultStatus status, string text, string? code = null)
    {
        Output.Text(tag).Raw(status switch
        {
            ResultStatus.Ok => " OK "u8,
            ResultStatus.No => " NO "u8,
            _ => " BAD "u8,
        });
        if (code is not null)
        {
            Output.Raw("["u8).Text(code).Raw("] "u8);
        }
        Output.Text(text).Crlf();
    }

    /// <summary>
    /// Counts a failed login with the shared <see cref="LoginThrottle"/> (a repeat of the previous
    /// failure's credentials counts once), waits its delay, and after the last allowed failure
    /// arranges the BYE that follows the tagged NO.
    /// </summary>
    internal async Task LoginFailedAsync(SaslCredentials credentials, CancellationToken ct)
    {
        var failure = _throttle.RecordFailure(credentials.Login, credentials.Password);
        ImapMetrics.Session.LoginFailed(_log, credentials.Login, _connection.RemoteEndPoint, _throttle.Failures);
        if (failure.Delay > TimeSpan.Zero)
        {
            await Task.Delay(failure.Delay, ct).ConfigureAwait(false);
        }
        if (failure.Disconnect)
        {
            // The BYE follows the tagged NO (written by the session after the handler returns).
            ByeAfterCompletion = "Too many failed logins";
            CloseReason = "too many failed logins";
        }
    }

    /// <summary>Opens the account and moves to the authenticated state.</summary>
    internal async Task<CommandResult> LoggedInAsync(UserRecord user, CancellationToken ct)
    {
        var account = await Store.OpenAccountAsync(user, ct).ConfigureAwait(false);
        _account = account;
        State = new AuthenticatedState(account);
        ImapMetrics.Session.LoggedIn(_log, user.Address, _connection.RemoteEndPoint);
        // RFC 9051 §6.2.3: capabilities may change after login; send them in the OK.
        return CommandResult.Ok("Logged in", "CAPABILITY " + Capabilities.For(this));
    }

    /// <summary>Leaves the selected state (SELECT of another mailbox, CLOSE, UNSELECT).</summary>
    internal void Deselect()
    {
        if (State is SelectedState selected)
        {
            selected.View.Dispose();
            State = new AuthenticatedState(selected.Account);
        }
    }

    /// <summary>
    /// A mailbox name from a command: decoded from modified UTF-7 unless UTF-8 is enabled
    /// (RFC 3501 §5.1.3), "INBOX" in any case normalised (RFC 9051 §5.1). Null when not valid mUTF-7.
    /// </summary>
    internal string? MailboxName(string wire)
    {
        var name = wire;
        if (!Utf8)
        {
            if (!ModifiedUtf7.TryDecode(wire, out var decoded))
            {
                return null;
            }
            name = decoded;
        }
        return MailboxNames.Normalize(name);
    }

    public async ValueTask DisposeAsync()
    {
        Deselect();
        State = LogoutState.Instance;
        if (_account is not null)
        {
            await _account.DisposeAsync().ConfigureAwait(false);
        }
    }
}
