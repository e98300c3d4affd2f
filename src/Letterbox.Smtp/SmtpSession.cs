using System.Buffers;
using System.IO.Pipelines;
using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Smtp.Delivery;
using Letterbox.Smtp.Protocol;
using Microsoft.Extensions.Logging;

namespace Letterbox.Smtp;

/// <summary>The session's place in the dialogue, as types: a handler that needs the envelope gets it from <see cref="MailState"/>.</summary>
internal abstract record SessionState;

/// <summary>Connected, not yet greeted (and again after STARTTLS).</summary>
internal sealed record ConnectedState : SessionState;

/// <summary>After HELO/EHLO/LHLO: <paramref name="ClientName"/> as the client gave it; <paramref name="Extended"/> for EHLO/LHLO.</summary>
internal sealed record GreetedState(string ClientName, bool Extended) : SessionState;

/// <summary>
/// A mail transaction: MAIL given, recipients accepted so far, and — once a BDAT has come (RFC 3030) —
/// the spool its chunks are gathering in.
/// </summary>
internal sealed record MailState(GreetedState Hello, SmtpCommand Mail, List<Recipient> Recipients) : SessionState
{
    public ChunkSpool? Chunks { get; set; }
}

/// <summary>What the session does after a command.</summary>
internal enum Flow
{
    Continue,
    Close,
}

/// <summary>
/// One SMTP or LMTP connection: reads command lines (pipelined, RFC 2920), checks each against the
/// <see cref="CommandTable"/>, runs it and answers. Grammar lives in <c>Protocol/</c>; commands in
/// <c>Commands/</c> by family; storage goes through the <see cref="DeliveryPipeline"/>.
/// </summary>
internal sealed partial class SmtpSession
{
    private readonly ClientConnection _connection;
    private readonly SmtpServerOptions _server;
    private readonly DeliveryPipeline _delivery;
    private readonly ILogger _log;
    private readonly CommandLineReader _lines;
    private SessionState _state = new ConnectedState();
    private CancellationTokenSource? _idle;
    private int _errors;
    private int _commandsWithoutMail;
    private SessionEnd _end = SessionEnd.ClientClosed;

    public SmtpSession(ClientConnection connection, SmtpServerOptions server, DeliveryPipeline delivery, ILogger log)
    {
        _connection = connection;
        _server = server;
        _delivery = delivery;
        _log = log;
        _lines = new CommandLineReader(MaxCommandLine);
    }

    /// <summary>RFC 5321 §4.5.3.1.4: at least 512 octets; the configured line limit caps it.</summary>
    private int MaxCommandLine => Math.Max(512, Math.Min(Options.Limits.MaxLineLength, 4096));

    private LetterboxOptions Options => _server.Options;
    private SmtpOptions Limits => _server.Options.Smtp;
    private SmtpMode Mode => _server.Mode;
    private PipeWriter Output => _connection.Output;
    private CancellationToken IdleToken => _idle!.Token;

    private SmtpStates States => _state switch
    {
        ConnectedState => SmtpStates.Connected,
        GreetedState => SmtpStates.Greeted,
        MailState { Recipients.Count: 0 } => SmtpStates.Mail,
        _ => SmtpStates.Recipients,
    };

    public async Task RunAsync(CancellationToken stopping)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _idle = idle;
        try
        {
            if (Mode == SmtpMode.Smtp && Limits.GreetingDelayMs > 0 && await TalksFirstAsync().ConfigureAwait(false))
            {
                _end = SessionEnd.EarlyTalker;
                await SayGoodbyeAsync(SmtpReply.EarlyTalker).ConfigureAwait(false);
                return;
            }
            // RFC 5321 §4.3.1 / RFC 2033 §4: the greeting names the host; RFC 2034: no enhanced code here.
            new SmtpReply(220, null, $"{_server.HostName} {(Mode == SmtpMode.Lmtp ? "LMTP" : "ESMTP")} Letterbox").WriteTo(Output);
            await LoopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            _end = stopping.IsCancellationRequested ? SessionEnd.ServerStopping : SessionEnd.IdleTimeout;
            await SayGoodbyeAsync(_end == SessionEnd.ServerStopping ? SmtpReply.ShuttingDown : SmtpReply.Timeout).ConfigureAwait(false);
        }
        catch (IOException)
        {
            _end = SessionEnd.ClientClosed;
        }
        finally
        {
            EndTransaction();
            SmtpMetrics.SessionsEnded.Add(1, new KeyValuePair<string, object?>("reason", _end.ToString()));
            SmtpLog.Ended(_log, Mode, _connection.RemoteEndPoint, _end);
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
            var flow = status == LineStatus.TooLong
                ? Reply(SmtpReply.LineTooLong)
                : await DispatchAsync(line).ConfigureAwait(false);
            if (flow == Flow.Close)
            {
                if (_end != SessionEnd.TlsFailed)
                {
                    await Output.FlushAsync(IdleToken).ConfigureAwait(false);
                }
                return;
            }
        }
    }

    private async Task<Flow> DispatchAsync(byte[] line)
    {
        var parsed = SmtpCommandParser.Parse(line);
        if (parsed.LostSync)
        {
            // RFC 3030 §2: without the chunk size the octets that follow cannot be told from commands; reading them as commands would let data smuggle commands in.
            parsed.Error!.WriteTo(Output);
            _end = SessionEnd.LostSync;
            new SmtpReply(421, "4.5.0", "Cannot find the end of the BDAT chunk, closing connection").WriteTo(Output);
            return Flow.Close;
        }
        if (!parsed.IsSuccess)
        {
            return Reply(parsed.Error!);
        }
        var command = parsed.Command!;
        if (!CommandTable.IsKnown(command.Verb, Mode))
        {
            return Reply(SmtpReply.UnknownCommand);
        }
        SmtpMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", SmtpCommandParser.Keyword(command.Verb)));
        if (!CommandTable.Rules[command.Verb].CountsAsTransaction && ++_commandsWithoutMail > Math.Max(1, Limits.MaxCommandsWithoutMail))
        {
            _end = SessionEnd.TooManyCommands;
            SmtpReply.TooManyCommands.WriteTo(Output);
            return Flow.Close;
        }
        if (!CommandTable.IsAllowed(command.Verb, States))
        {
            if (command.Verb == SmtpVerb.Bdat && !await DrainChunkAsync(command.ChunkSize).ConfigureAwait(false))
            {
                _end = SessionEnd.ClientClosed;
                return Flow.Close;
            }
            return Reply(States == SmtpStates.Connected
                ? new SmtpReply(503, "5.5.1", $"Send {(Mode == SmtpMode.Lmtp ? "LHLO" : "EHLO")} first")
                : SmtpReply.BadSequence);
        }
        using var activity = SmtpMetrics.Source.StartActivity((Mode == SmtpMode.Lmtp ? "lmtp " : "smtp ") + SmtpCommandParser.Keyword(command.Verb));
        return command.Verb switch
        {
            SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Lhlo => Hello(command),
            SmtpVerb.Mail => Mail(command),
            SmtpVerb.Rcpt => await RcptAsync(command).ConfigureAwait(false),
            SmtpVerb.Data => await DataAsync().ConfigureAwait(false),
            SmtpVerb.Bdat => await BdatAsync(command).ConfigureAwait(false),
            SmtpVerb.Rset => Rset(),
            SmtpVerb.Noop => Reply(SmtpReply.Ok),
            SmtpVerb.Quit => Quit(),
            // RFC 5321 §3.5.3 / §7.3: VRFY would let anyone harvest addresses; 252 is the sanctioned non-answer.
            SmtpVerb.Vrfy => Reply(SmtpReply.CannotVerify),
            SmtpVerb.Expn => Reply(SmtpReply.ExpnDisabled),
            SmtpVerb.Help => Reply(new SmtpReply(214, "2.0.0", "See RFC 5321 (SMTP) or RFC 2033 (LMTP)")),
            SmtpVerb.StartTls => await StartTlsAsync().ConfigureAwait(false),
            _ => Reply(SmtpReply.UnknownCommand),
        };
    }

    /// <summary>Writes a reply; an error counts towards <see cref="SmtpOptions.MaxErrors"/>, and the last one allowed is followed by 421.</summary>
    private Flow Reply(SmtpReply reply)
    {
        reply.WriteTo(Output);
        if (reply.IsError && ++_errors >= Math.Max(1, Limits.MaxErrors))
        {
            _end = SessionEnd.TooManyErrors;
            SmtpReply.TooManyErrors.WriteTo(Output);
            return Flow.Close;
        }
        return Flow.Continue;
    }

    /// <summary>
    /// Greeting delay (the "early talker" test): waits up to <see cref="SmtpOptions.GreetingDelayMs"/>
    /// for the client to say anything. RFC 5321 §4.3.1: a client waits for the 220 before it speaks, so
    /// one that does not is a spam engine that does not read replies. The server decides: a timer
    /// cancels the pending read; data that arrived first is the verdict.
    /// </summary>
    private async Task<bool> TalksFirstAsync()
    {
        var input = _connection.Input;
        using var timer = _server.Time.CreateTimer(_ => input.CancelPendingRead(), null, TimeSpan.FromMilliseconds(Limits.GreetingDelayMs), Timeout.InfiniteTimeSpan);
        var result = await input.ReadAsync(IdleToken).ConfigureAwait(false);
        var spoke = !result.IsCanceled && (result.Buffer.Length > 0 || result.IsCompleted);
        input.AdvanceTo(result.Buffer.Start);
        if (!spoke)
        {
            return false;
        }
        SmtpMetrics.EarlyTalkers.Add(1);
        return true;
    }

    /// <summary>Leaves any transaction: a BDAT spool still open is deleted (the message was never acknowledged).</summary>
    private void EndTransaction(SessionState? next = null)
    {
        if (_state is MailState { Chunks: { } chunks } mail)
        {
            mail.Chunks = null;
            chunks.Dispose();
        }
        if (next is not null)
        {
            _state = next;
        }
    }

    private Flow Quit()
    {
        _end = SessionEnd.Quit;
        SmtpReply.Bye.WriteTo(Output);
        return Flow.Close;
    }

    /// <summary>
    /// Reads the next command line. Output is flushed only when no complete line is already waiting,
    /// so pipelined commands get their answers in one write (RFC 2920 §3).
    /// Returns NeedMore when the client has closed the connection.
    /// </summary>
    private Task<(LineStatus Status, byte[] Line)> ReadLineAsync()
        => _lines.ReadAsync(_connection, () => _idle!.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, Limits.CommandTimeoutSeconds))), IdleToken);

    /// <summary>Best effort: the last words before closing (idle timeout, shutdown); the client may already be gone.</summary>
    private async Task SayGoodbyeAsync(SmtpReply reply)
    {
        try
        {
            reply.WriteTo(Output);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Output.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
