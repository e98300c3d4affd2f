using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Core;

namespace Letterbox.Imap;

public sealed partial class ImapSession
{
    /// <summary>What reading one command produced: the command's input, an error to answer, or the end of input.</summary>
    private readonly record struct ReadOutcome(CommandInput? Input, string Tag, ResultStatus Error, string? ErrorText, bool EndOfInput)
    {
        public static ReadOutcome End => new(null, "*", ResultStatus.Bad, null, true);

        public static ReadOutcome Fail(string tag, ResultStatus status, string text) => new(null, tag, status, text, false);
    }

    private enum LineStatus
    {
        Line,
        TooLong,
        InvalidLiteral,
        End,
    }

    private readonly record struct LineRead(LineStatus Status, byte[] Line, LiteralHeader Literal);

    /// <summary>
    /// Reads one line (RFC 9051 §2.2). A line over Limits.MaxLineLength is drained up to its end,
    /// never stored, so the session stays in step; its first octets are kept to recover the tag.
    /// </summary>
    private async ValueTask<LineRead> ReadLineAsync(CancellationToken ct)
    {
        var maxLine = Options.Limits.MaxLineLength;
        while (true)
        {
            var input = _connection.Input;
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = CommandFramer.TryReadLine(ref buffer, maxLine, out var line, out var literal);
            switch (status)
            {
                case FrameStatus.Complete:
                case FrameStatus.InvalidLiteral:
                    var bytes = line.ToArray();
                    input.AdvanceTo(buffer.Start);
                    return new LineRead(status == FrameStatus.Complete ? LineStatus.Line : LineStatus.InvalidLiteral, bytes, literal);
                case FrameStatus.LineTooLong:
                    var head = buffer.Slice(0, Math.Min(buffer.Length, 200)).ToArray();
                    await DrainLineAsync(ct).ConfigureAwait(false);
                    return new LineRead(LineStatus.TooLong, head, LiteralHeader.None);
                default:
                    if (result.IsCompleted)
                    {
                        input.AdvanceTo(buffer.End);
                        return new LineRead(LineStatus.End, [], LiteralHeader.None);
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    private async ValueTask DrainLineAsync(CancellationToken ct)
    {
        var input = _connection.Input;
        while (true)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var found = CommandFramer.TrySkipLine(ref buffer);
            input.AdvanceTo(buffer.Start);
            if (found || result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Reads a literal's octets into <paramref name="sink"/> (null: discard). False when the input ended first.</summary>
    private async ValueTask<bool> ReadLiteralAsync(long length, Func<ReadOnlySequence<byte>, ValueTask>? sink, CancellationToken ct)
    {
        var input = _connection.Input;
        var remaining = length;
        while (remaining > 0)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var take = Math.Min(buffer.Length, remaining);
            var chunk = buffer.Slice(0, take);
            if (sink is not null && take > 0)
            {
                await sink(chunk).ConfigureAwait(false);
            }
            input.AdvanceTo(chunk.End);
            remaining -= take;
            if (remaining > 0 && result.IsCompleted)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Reads one whole command: its lines and literals. Each literal's size is checked before the
    /// "+" continuation (RFC 9051 §7.5, RFC 7888 §4): APPEND against Limits.MaxMessageSize
    /// (APPENDLIMIT), anything else against Limits.MaxCommandLiteralSize. A refused
    /// non-synchronising literal is read and thrown away so the session stays in step.
    /// </summary>
    private async ValueTask<ReadOutcome> ReadCommandAsync(CancellationToken ct)
    {
        var commandInput = new CommandInput();
        var tag = "*";
        CommandName? name = null;
        var first = true;
        ReadOutcome? refusal = null;
        long total = 0;
        try
        {
            while (true)
            {
                var line = await ReadLineAsync(ct).ConfigureAwait(false);
                switch (line.Status)
                {
                    case LineStatus.End:
                        return ReadOutcome.End;
                    case LineStatus.TooLong:
                        if (first)
                        {
                            CommandPeek.TryRead(line.Line, _parserLimits.MaxTagLength, out tag, out _, out _);
                        }
                        return ReadOutcome.Fail(tag, ResultStatus.Bad, $"Line too long (limit {Options.Limits.MaxLineLength} octets)");
                    case LineStatus.InvalidLiteral:
                        if (first)
                        {
                            CommandPeek.TryRead(line.Line, _parserLimits.MaxTagLength, out tag, out _, out _);
                        }
                        return ReadOutcome.Fail(tag, ResultStatus.Bad, "Invalid literal length");
                }
                if (first)
                {
                    first = false;
                    if (line.Line.Length == 0)
                    {
                        // An empty line is not a command; ignore it as other servers do.
                        first = true;
                        continue;
                    }
                    CommandPeek.TryRead(line.Line, _parserLimits.MaxTagLength, out tag, out name, out _);
                }
                total += line.Line.Length;
                if (refusal is null)
                {
                    commandInput.AddLine(line.Line);
                }
                var literal = line.Literal;
                if (!literal.Present)
                {
                    if (refusal is { } refused)
                    {
                        return refused;
                    }
                    var done = commandInput;
                    commandInput = null!;
                    return new ReadOutcome(done, tag, ResultStatus.Ok, null, false);
                }
                // Before login APPEND is refused anyway: its literal gets the small limit, so an
                // anonymous client cannot make the server spool a message-sized literal.
                var isAppend = name == CommandName.Append && State is AuthenticatedState;
                var limit = isAppend ? Options.Limits.MaxMessageSize : Options.Limits.MaxCommandLiteralSize;
                total += literal.Length;
                if (refusal is null && (literal.Length > limit || (!isAppend && total > (long)Options.Limits.MaxLineLength + Options.Limits.MaxCommandLiteralSize)))
                {
                    refusal = isAppend
                        ? ReadOutcome.Fail(tag, ResultStatus.No, "[TOOBIG] Message too large (APPENDLIMIT " + Options.Limits.MaxMessageSize + ")")
                        : ReadOutcome.Fail(tag, ResultStatus.Bad, $"Literal too large (limit {Options.Limits.MaxCommandLiteralSize} octets)");
                }
                if (refusal is { } r)
                {
                    if (literal.Synchronizing)
                    {
                        // The client waits for "+" and will send nothing more of this command.
                        return r;
                    }
                    if (!await ReadLiteralAsync(literal.Length, null, ct).ConfigureAwait(false))
                    {
                        return ReadOutcome.End;
                    }
                    continue;
                }
                if (literal.Synchronizing)
                {
                    Output.Raw("+ Ready for literal data\r\n"u8);
                    await Output.FlushAsync(ct).ConfigureAwait(false);
                }
                var read = await ReadLiteralIntoAsync(commandInput, literal.Length, isAppend, ct).ConfigureAwait(false);
                if (!read)
                {
                    return ReadOutcome.End;
                }
            }
        }
        finally
        {
            commandInput?.Dispose();
        }
    }

    private async ValueTask<bool> ReadLiteralIntoAsync(CommandInput commandInput, long length, bool isAppend, CancellationToken ct)
    {
        if (isAppend && length > SpoolThreshold)
        {
            var spooled = new SpooledMessageLiteral(Spool.Directory(Options.DataDirectory));
            var ok = false;
            try
            {
                ok = await ReadLiteralAsync(length, async chunk =>
                {
                    foreach (var segment in chunk)
                    {
                        await spooled.WriteAsync(segment, ct).ConfigureAwait(false);
                    }
                }, ct).ConfigureAwait(false);
                await spooled.CompleteAsync().ConfigureAwait(false);
                if (ok)
                {
                    commandInput.AddLiteral(ImapLiteral.FromMessage(spooled));
                }
                return ok;
            }
            finally
            {
                if (!ok)
                {
                    spooled.Dispose();
                }
            }
        }
        var bytes = new byte[length];
        var offset = 0;
        var complete = await ReadLiteralAsync(length, chunk =>
        {
            chunk.CopyTo(bytes.AsSpan(offset));
            offset += (int)chunk.Length;
            return ValueTask.CompletedTask;
        }, ct).ConfigureAwait(false);
        if (complete)
        {
            commandInput.AddLiteral(isAppend ? ImapLiteral.FromMessage(new MemoryMessageLiteral(bytes)) : ImapLiteral.FromBytes(bytes));
        }
        return complete;
    }

    /// <summary>
    /// Reads one continuation line from the client (AUTHENTICATE responses, IDLE's DONE).
    /// Null when the input ended or the line was too long.
    /// </summary>
    internal async ValueTask<string?> ReadContinuationAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        return line.Status == LineStatus.Line ? Encoding.UTF8.GetString(line.Line) : null;
    }
}
