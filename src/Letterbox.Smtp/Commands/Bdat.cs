using System.Globalization;
using Letterbox.Smtp.Protocol;

namespace Letterbox.Smtp;

/// <summary>The spool a chunked (BDAT) message gathers in, and how many octets its chunks declared so far.</summary>
internal sealed class ChunkSpool(FileStream file) : IDisposable
{
    public FileStream File { get; } = file;
    /// <summary>Octets of all chunks so far, counted even past the size cap.</summary>
    public long Size { get; set; }

    public void Dispose() => File.Dispose();
}

/// <summary>
/// BDAT (RFC 3030 CHUNKING): each chunk is exactly chunk-size octets, taken as they are — no
/// dot-stuffing, no end-of-data line, so binary bodies (BODY=BINARYMIME) pass untouched. Chunks go
/// to one spool with the same cap as DATA; over LMTP the replies per recipient come after BDAT LAST.
/// </summary>
internal sealed partial class SmtpSession
{
    private async Task<Flow> BdatAsync(SmtpCommand command)
    {
        var mail = (MailState)_state;
        if (mail.Recipients.Count == 0)
        {
            // RFC 3030 §2: the chunk is read even when refused, so the next command line is found.
            if (!await DrainChunkAsync(command.ChunkSize).ConfigureAwait(false))
            {
                _end = SessionEnd.ClientClosed;
                return Flow.Close;
            }
            return Reply(SmtpReply.NoValidRecipients);
        }
        if (mail.Chunks is null)
        {
            var file = OpenSpool(bufferSize: 64 * 1024);
            if (file is null)
            {
                if (!await DrainChunkAsync(command.ChunkSize).ConfigureAwait(false))
                {
                    _end = SessionEnd.ClientClosed;
                    return Flow.Close;
                }
                _state = mail.Hello;
                return Reply(SmtpReply.CannotSpool);
            }
            mail.Chunks = new ChunkSpool(file);
        }
        var chunks = mail.Chunks;
        var max = Options.Limits.MaxMessageSize;
        // The cap is enforced while the chunk streams: nothing past it is written; the rest is drained.
        var room = Math.Max(0, max - chunks.Size);
        if (!await CopyChunkAsync(command.ChunkSize, chunks.File, room).ConfigureAwait(false))
        {
            _end = SessionEnd.ClientClosed;
            return Flow.Close;
        }
        chunks.Size += command.ChunkSize;
        SmtpMetrics.ReceivedBytes.Add(command.ChunkSize);
        if (!command.LastChunk)
        {
            return Reply(new SmtpReply(250, "2.0.0", $"{command.ChunkSize.ToString(CultureInfo.InvariantCulture)} octets received"));
        }
        mail.Chunks = null;
        _state = mail.Hello;
        _commandsWithoutMail = 0;
        using (chunks)
        {
            if (chunks.Size > max)
            {
                // RFC 3030 §2 / RFC 1870 §6.4: too big; as with DATA, one 552 per recipient over LMTP.
                return ReplyForEach(mail, _ => SmtpReply.TooBig);
            }
            return await DeliverAsync(mail, chunks.File, chunks.Size).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and discards a refused chunk; false when the client went away first.</summary>
    private Task<bool> DrainChunkAsync(long count) => CopyChunkAsync(count, null, 0);

    /// <summary>
    /// Reads exactly <paramref name="count"/> octets from the connection, writing the first
    /// <paramref name="keep"/> of them to <paramref name="target"/>; false when the client closed first.
    /// </summary>
    private async Task<bool> CopyChunkAsync(long count, Stream? target, long keep)
    {
        var input = _connection.Input;
        while (count > 0)
        {
            if (!input.TryRead(out var result))
            {
                _idle!.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, Limits.DataTimeoutSeconds)));
                await Output.FlushAsync(IdleToken).ConfigureAwait(false);
                result = await input.ReadAsync(IdleToken).ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            var take = buffer.Slice(0, Math.Min(buffer.Length, count));
            if (target is not null && keep > 0)
            {
                var kept = take.Slice(0, Math.Min(take.Length, keep));
                foreach (var segment in kept)
                {
                    await target.WriteAsync(segment, IdleToken).ConfigureAwait(false);
                }
                keep -= kept.Length;
            }
            count -= take.Length;
            input.AdvanceTo(take.End);
            if (count > 0 && result.IsCompleted)
            {
                return false;
            }
        }
        _lines.Reset();
        return true;
    }
}
