using System.Buffers;
using Letterbox.Pop3.Protocol;
using Letterbox.Store;

namespace Letterbox.Pop3;

/// <summary>The TRANSACTION state's commands (RFC 1939 §5, §7): STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP.</summary>
internal sealed partial class Pop3Session
{
    /// <summary>Message bytes are read from the store in chunks of this size.</summary>
    private const int ContentChunk = 16 * 1024;

    /// <summary>Output is flushed whenever this much is waiting, so a large message never sits in memory.</summary>
    private const int FlushThreshold = 64 * 1024;

    private Task<Flow> TransactionAsync(Pop3Command command, Maildrop maildrop) => command.Verb switch
    {
        Pop3Verb.Stat => Done(Stat(maildrop)),
        Pop3Verb.List => Done(Listing(command, maildrop, m => m.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        // RFC 1939 §7: the unique-id is the message's EMAILID, stable and never reused (RFC 8474).
        Pop3Verb.Uidl => Done(Listing(command, maildrop, m => m.EmailId)),
        Pop3Verb.Retr => RetrieveAsync(command.Message!.Value, null, maildrop),
        Pop3Verb.Top => RetrieveAsync(command.Message!.Value, command.Lines, maildrop),
        Pop3Verb.Dele => Done(Dele(command.Message!.Value, maildrop)),
        Pop3Verb.Rset => Done(Rset(maildrop)),
        Pop3Verb.Noop => Done(Noop()),
        _ => throw new InvalidOperationException($"{command.Verb} is not a TRANSACTION command"),
    };

    private Flow Stat(Maildrop maildrop)
    {
        Pop3Reply.Ok(Output, $"{maildrop.Count} {maildrop.Size}");
        return Flow.Continue;
    }

    /// <summary>LIST and UIDL: one message ("+OK n value") or all not deleted (multi-line "n value").</summary>
    private Flow Listing(Pop3Command command, Maildrop maildrop, Func<MessageRecord, string> value)
    {
        if (command.Message is { } number)
        {
            if (!maildrop.TryGet(number, out var message, out var error))
            {
                Pop3Reply.Err(Output, Pop3ResponseCode.None, error);
                return Flow.Continue;
            }
            Pop3Reply.Ok(Output, $"{number} {value(message)}");
            return Flow.Continue;
        }
        Pop3Reply.Ok(Output, command.Verb == Pop3Verb.List
            ? $"{maildrop.Count} messages ({maildrop.Size} octets)"
            : "unique-id listing follows");
        for (var i = 1; i <= maildrop.Messages.Count; i++)
        {
            if (!maildrop.IsDeleted(i))
            {
                Pop3Reply.Line(Output, $"{i} {value(maildrop.Messages[i - 1])}");
            }
        }
        Pop3Reply.End(Output);
        return Flow.Continue;
    }

    /// <summary>
    /// RETR (whole message) and TOP (header + n body lines): streamed from the store through a
    /// fixed buffer, dot-stuffed with CRLF line endings (RFC 1939 §3).
    /// </summary>
    private async Task<Flow> RetrieveAsync(int number, int? bodyLines, Maildrop maildrop)
    {
        if (!maildrop.TryGet(number, out var message, out var error))
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, error);
            return Flow.Continue;
        }
        Stream content;
        try
        {
            content = maildrop.Account.OpenContent(message);
        }
        catch (MailStoreException e) when (e.Error == MailStoreError.NonExistent)
        {
            // Expunged over IMAP since login: the number stays, the message is gone.
            Pop3Reply.Err(Output, Pop3ResponseCode.None, $"message {number} was deleted by another session");
            return Flow.Continue;
        }
        catch (MailStoreException)
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.SysTemp, $"message {number} cannot be read now; try again later");
            return Flow.Continue;
        }
        await using (content.ConfigureAwait(false))
        {
            Pop3Reply.Ok(Output, bodyLines is null ? $"{message.Size} octets" : "top of message follows");
            var stuffer = new DotStuffer(bodyLines);
            var buffer = ArrayPool<byte>.Shared.Rent(ContentChunk);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, ContentChunk), IdleToken).ConfigureAwait(false)) > 0)
                {
                    if (!stuffer.Write(buffer.AsSpan(0, read), Output))
                    {
                        break;
                    }
                    if (Output.UnflushedBytes >= FlushThreshold)
                    {
                        // A client that reads slowly is still active: each flush re-arms the idle timer.
                        _idle!.CancelAfter(IdleTimeout);
                        await Output.FlushAsync(IdleToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            stuffer.Complete(Output);
        }
        if (bodyLines is null)
        {
            maildrop.MarkRetrieved(number);
            Pop3Metrics.RetrievedBytes.Add(message.Size);
        }
        return Flow.Continue;
    }

    /// <summary>RFC 1939 §5 DELE: only marked; removed at QUIT in the UPDATE state.</summary>
    private Flow Dele(int number, Maildrop maildrop)
    {
        if (!maildrop.TryGet(number, out _, out var error))
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, error);
            return Flow.Continue;
        }
        maildrop.MarkDeleted(number);
        Pop3Reply.Ok(Output, $"message {number} deleted");
        return Flow.Continue;
    }

    private Flow Rset(Maildrop maildrop)
    {
        maildrop.Reset();
        Pop3Reply.Ok(Output, $"maildrop has {maildrop.Count} messages ({maildrop.Size} octets)");
        return Flow.Continue;
    }

    private Flow Noop()
    {
        Pop3Reply.Ok(Output, "");
        return Flow.Continue;
    }
}
