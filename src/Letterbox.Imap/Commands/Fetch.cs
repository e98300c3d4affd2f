using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;
using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace Letterbox.Imap.Commands;

/// <summary>
/// FETCH and UID FETCH (RFC 9051 §6.4.5), BINARY (RFC 3516), MODSEQ (RFC 7162), EMAILID (RFC 8474),
/// SAVEDATE (RFC 8514). Bodies are streamed from the stored blob at the offsets computed at ingest,
/// never buffered whole: large ones handed to the kernel from the file when the connection can
/// (plaintext sendfile), otherwise copied in chunks with a flush after each.
/// </summary>
internal static class FetchCommandHandler
{
    private const int BatchSize = 128;
    private const int ChunkSize = 64 * 1024;
    // Below this a literal is copied into the pipe with the rest of the response: handing it to the
    // kernel as a file costs a flush of its own (one more send), which only pays for large bodies.
    private const long SendFileThreshold = 64 * 1024;
    private static readonly string[] Seen = ["\\Seen"];

    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var fetch = (FetchCommand)command;
        var selected = (SelectedState)session.State;
        var view = selected.View;
        var account = selected.Account;
        if (!fetch.Uid && view.HasInvalidSequence(fetch.Set))
        {
            return CommandResult.Bad("Invalid message sequence number");
        }
        if (fetch.Vanished && !session.QResync)
        {
            // RFC 7162 §3.2.6: VANISHED only after ENABLE QRESYNC.
            return CommandResult.Bad("VANISHED requires ENABLE QRESYNC first", "CLIENTBUG");
        }
        var items = fetch.Items.ToList();
        if (fetch.ChangedSince is not null || items.Any(i => i is FetchSimple { Attribute: FetchAttribute.ModSeq }))
        {
            // RFC 7162 §3.1: FETCH MODSEQ and CHANGEDSINCE are CONDSTORE enabling commands.
            session.EnableCondStore();
        }
        // RFC 9051 §6.4.9: UID FETCH always returns UID; RFC 7162 §3.2.4: so does every FETCH once QRESYNC is on.
        if ((fetch.Uid || session.QResync) && !items.Any(i => i is FetchSimple { Attribute: FetchAttribute.Uid }))
        {
            items.Insert(0, new FetchSimple(FetchAttribute.Uid));
        }
        // RFC 7162 §3.1: a CONDSTORE-aware client gets MODSEQ in every FETCH response.
        if (session.CondStore && !items.Any(i => i is FetchSimple { Attribute: FetchAttribute.ModSeq }))
        {
            items.Add(new FetchSimple(FetchAttribute.ModSeq));
        }
        var fields = MessageFields.Basic;
        foreach (var item in items)
        {
            fields |= item switch
            {
                FetchSimple { Attribute: FetchAttribute.Envelope } => MessageFields.Envelope,
                FetchSimple { Attribute: FetchAttribute.Body or FetchAttribute.BodyStructure or FetchAttribute.Rfc822Header or FetchAttribute.Rfc822Text } => MessageFields.Structure,
                FetchSection or FetchBinarySize => MessageFields.Structure,
                _ => MessageFields.Basic,
            };
        }
        if (fetch.Vanished)
        {
            // RFC 7162 §3.2.6: VANISHED (EARLIER) comes before any FETCH response.
            await Resynchronisation.WriteVanishedEarlierAsync(session, account, view, fetch.Set, fetch.ChangedSince!.Value, ct).ConfigureAwait(false);
        }
        var uids = view.Resolve(fetch.Set, fetch.Uid);
        if (fetch.ChangedSince is { } changedSince)
        {
            // RFC 7162 §3.1.4.1: only messages whose MODSEQ is greater than CHANGEDSINCE.
            uids.RemoveAll(u => view[view.SequenceOf(u)].ModSeq <= changedSince);
        }
        if (uids.Count == 0)
        {
            return CommandResult.Ok("FETCH completed");
        }

        // RFC 9051 §6.4.5: BODY[...] and RFC822(.TEXT) set \Seen, except in a read-only mailbox.
        var setsSeen = !view.ReadOnly && items.Any(i => i is FetchSection { Peek: false } or FetchSimple { Attribute: FetchAttribute.Rfc822 or FetchAttribute.Rfc822Text });
        var newlySeen = new HashSet<uint>();
        if (setsSeen)
        {
            var unseen = uids.Where(u => !view[view.SequenceOf(u)].Flags.Contains("\\Seen", StringComparer.OrdinalIgnoreCase)).ToList();
            if (unseen.Count > 0)
            {
                var stored = await account.StoreFlagsAsync(view.Mailbox.Id, unseen, FlagOperation.Add, Seen, null, ct).ConfigureAwait(false);
                foreach (var state in stored.Changed)
                {
                    view.Apply(state);
                    newlySeen.Add(state.Uid);
                }
                if (stored.Changed.Count > 0)
                {
                    view.OwnWrite(stored.ModSeqBefore, stored.Changed.Max(s => s.ModSeq));
                }
            }
        }
        var wantsFlags = items.Any(i => i is FetchSimple { Attribute: FetchAttribute.Flags });

        for (var start = 0; start < uids.Count; start += BatchSize)
        {
            var batch = uids.GetRange(start, Math.Min(BatchSize, uids.Count - start));
            var messages = await account.GetMessagesAsync(view.Mailbox.Id, batch, fields, ct).ConfigureAwait(false);
            foreach (var message in messages)
            {
                var seq = view.SequenceOf(message.Uid);
                if (seq == 0)
                {
                    continue;
                }
                if (UnknownTransferEncoding(message, items) is { } unknown)
                {
                    // RFC 3516 §4.3: BINARY cannot undo an encoding the server does not know.
                    return CommandResult.No($"Cannot decode Content-Transfer-Encoding {unknown}", "UNKNOWN-CTE");
                }
                var state = view[seq];
                var o = session.Output;
                o.Raw("* "u8).Number(seq).Raw(" FETCH ("u8);
                var first = true;
                foreach (var item in items)
                {
                    if (!first)
                    {
                        o.Space();
                    }
                    first = false;
                    await WriteItemAsync(session, account, message, state, item, ct).ConfigureAwait(false);
                }
                if (!wantsFlags && newlySeen.Contains(message.Uid))
                {
                    o.Raw(" FLAGS ("u8);
                    MailboxView.WriteFlagList(o, state.Flags);
                    o.Raw(")"u8);
                }
                o.Raw(")\r\n"u8);
            }
        }
        return CommandResult.Ok("FETCH completed");
    }

    private static async Task WriteItemAsync(ImapSession session, IMailAccount account, MessageRecord message, MessageState state, FetchItem item, CancellationToken ct)
    {
        var o = session.Output;
        switch (item)
        {
            case FetchSimple simple:
                switch (simple.Attribute)
                {
                    case FetchAttribute.Flags:
                        o.Raw("FLAGS ("u8);
                        MailboxView.WriteFlagList(o, state.Flags);
                        o.Raw(")"u8);
                        break;
                    case FetchAttribute.Uid:
                        o.Raw("UID "u8).Number(message.Uid);
                        break;
                    case FetchAttribute.InternalDate:
                        o.Raw("INTERNALDATE "u8).DateTime(message.InternalDate);
                        break;
                    case FetchAttribute.SaveDate:
                        o.Raw("SAVEDATE "u8).DateTime(message.SaveDate);
                        break;
                    case FetchAttribute.Rfc822Size:
                        o.Raw("RFC822.SIZE "u8).Number(message.Size);
                        break;
                    case FetchAttribute.ModSeq:
                        o.Raw("MODSEQ ("u8).Number(state.ModSeq).Raw(")"u8);
                        break;
                    case FetchAttribute.EmailId:
                        o.Raw("EMAILID ("u8).Text(message.EmailId).Raw(")"u8);
                        break;
                    case FetchAttribute.ThreadId:
                        o.Raw("THREADID NIL"u8);
                        break;
                    case FetchAttribute.Envelope:
                        o.Raw("ENVELOPE "u8);
                        EnvelopeFormatter.Write(o.Grammar, message.Envelope ?? new MessageEnvelope());
                        break;
                    case FetchAttribute.Body:
                    case FetchAttribute.BodyStructure:
                        o.Raw(simple.Attribute == FetchAttribute.Body ? "BODY "u8 : "BODYSTRUCTURE "u8);
                        if (message.Structure is { } structure)
                        {
                            BodyStructureFormatter.Write(o.Grammar, structure, simple.Attribute == FetchAttribute.BodyStructure);
                        }
                        else
                        {
                            o.Raw("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)"u8);
                        }
                        break;
                    case FetchAttribute.Rfc822:
                        o.Raw("RFC822 "u8);
                        await WriteRangeAsync(session, account, message, 0, message.Size, ct).ConfigureAwait(false);
                        break;
                    case FetchAttribute.Rfc822Header:
                    case FetchAttribute.Rfc822Text:
                        var header = simple.Attribute == FetchAttribute.Rfc822Header;
                        o.Raw(header ? "RFC822.HEADER "u8 : "RFC822.TEXT "u8);
                        var root = message.Structure;
                        if (root is null)
                        {
                            o.Raw("\"\""u8);
                        }
                        else if (header)
                        {
                            await WriteRangeAsync(session, account, message, root.HeaderOffset, root.HeaderLength, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            await WriteRangeAsync(session, account, message, root.BodyOffset, root.BodyLength, ct).ConfigureAwait(false);
                        }
                        break;
                }
                break;
            case FetchSection section:
                await WriteSectionAsync(session, account, message, section, ct).ConfigureAwait(false);
                break;
            case FetchBinarySize size:
                o.Raw("BINARY.SIZE["u8).Text(string.Join('.', size.Part)).Raw("] "u8);
                var measured = FindPart(message, size.Part) is { } sized ? await MeasureDecodedAsync(account, message, sized, ct).ConfigureAwait(false) : default;
                o.Number(measured.Length);
                break;
        }
    }

    private static async Task WriteSectionAsync(ImapSession session, IMailAccount account, MessageRecord message, FetchSection section, CancellationToken ct)
    {
        var o = session.Output;
        o.Raw(section.Binary ? "BINARY["u8 : "BODY["u8).Text(MessageSections.Format(section.Section)).Raw("]"u8);
        if (section.PartialOffset is { } partialOffset)
        {
            o.Raw("<"u8).Number(partialOffset).Raw(">"u8);
        }
        o.Space();

        if (section.Binary && section.Section.Part.Count > 0)
        {
            await WriteDecodedAsync(session, account, message, FindPart(message, section.Section.Part), section.PartialOffset, section.PartialLength, ct).ConfigureAwait(false);
            return;
        }
        if (await MessageSections.ResolveAsync(account, message, section.Section, ct).ConfigureAwait(false) is not { } content)
        {
            // A part that does not exist: NIL, as Dovecot answers.
            o.Raw("NIL"u8);
            return;
        }
        var (start, length) = Partial(content.Length, section.PartialOffset, section.PartialLength);
        if (content.Bytes is { } computed)
        {
            o.LiteralHeader(length);
            o.Raw(computed.AsSpan((int)start, (int)length));
            return;
        }
        await WriteRangeAsync(session, account, message, content.Offset + start, length, ct).ConfigureAwait(false);
    }

    /// <summary>RFC 9051 §6.4.5 partial: &lt;offset.length&gt; clipped to the section.</summary>
    private static (long Start, long Length) Partial(long total, long? offset, long? length)
    {
        if (offset is not { } o)
        {
            return (0, total);
        }
        var start = Math.Min(o, total);
        var count = Math.Min(length ?? long.MaxValue, total - start);
        return (start, count);
    }

    /// <summary>Writes a literal streamed from the blob in chunks, flushing after each so large bodies never sit in memory.</summary>
    private static async Task WriteRangeAsync(ImapSession session, IMailAccount account, MessageRecord message, long offset, long length, CancellationToken ct)
    {
        var o = session.Output;
        o.LiteralHeader(length);
        if (length == 0)
        {
            return;
        }
        var stream = account.OpenContent(message);
        await using (stream.ConfigureAwait(false))
        {
            if (length >= SendFileThreshold && stream is FileStream file && offset + length <= file.Length
                && await session.Connection.TrySendFileAsync(file, offset, length, ct).ConfigureAwait(false))
            {
                return;
            }
            stream.Seek(offset, SeekOrigin.Begin);
            var remaining = length;
            while (remaining > 0)
            {
                var want = (int)Math.Min(remaining, ChunkSize);
                var memory = o.Writer.GetMemory(want)[..want];
                var read = await stream.ReadAsync(memory, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"stored message {message.BlobId} is shorter than its structure says");
                }
                o.Writer.Advance(read);
                remaining -= read;
                if (length > ChunkSize)
                {
                    await o.FlushAsync(ct).ConfigureAwait(false);
                }
            }
        }
    }

    private static readonly HashSet<string> KnownEncodings = new(StringComparer.OrdinalIgnoreCase)
    {
        "7bit", "8bit", "binary", "base64", "quoted-printable",
    };

    /// <summary>The first transfer encoding a BINARY item of this FETCH cannot decode, or null.</summary>
    private static string? UnknownTransferEncoding(MessageRecord message, List<FetchItem> items)
    {
        if (message.Structure is not { } root)
        {
            return null;
        }
        foreach (var item in items)
        {
            IReadOnlyList<int>? path = item switch
            {
                FetchSection { Binary: true } section => section.Section.Part,
                FetchBinarySize size => size.Part,
                _ => null,
            };
            if (path is { Count: > 0 } && MessageSections.FindPart(root, path) is { TransferEncoding: { } encoding } && !KnownEncodings.Contains(encoding.Trim()))
            {
                return encoding;
            }
        }
        return null;
    }

    private static MimePartInfo? FindPart(MessageRecord message, IReadOnlyList<int> path) =>
        message.Structure is { } root ? MessageSections.FindPart(root, path) : null;

    /// <summary>
    /// The decoded content of a part, as a stream (RFC 3516 BINARY[]): base64 and quoted-printable
    /// undone, other encodings as stored. Read from the blob through the decoder, never whole in memory.
    /// </summary>
    private static Stream OpenDecoded(IMailAccount account, MessageRecord message, MimePartInfo part)
    {
        var blob = account.OpenContent(message);
        var range = new BoundStream(blob, part.BodyOffset, part.BodyOffset + part.BodyLength, leaveOpen: false);
        ContentEncoding? encoding = part.TransferEncoding?.Trim().ToLowerInvariant() switch
        {
            "base64" => ContentEncoding.Base64,
            "quoted-printable" => ContentEncoding.QuotedPrintable,
            _ => null,
        };
        if (encoding is not { } ce)
        {
            return range;
        }
        var filtered = new FilteredStream(range);
        filtered.Add(DecoderFilter.Create(ce));
        return filtered;
    }

    /// <summary>The decoded length of a part and whether it holds a NUL (then it must go as literal8, RFC 3516 §4.2).</summary>
    private static async Task<(long Length, bool HasNul)> MeasureDecodedAsync(IMailAccount account, MessageRecord message, MimePartInfo part, CancellationToken ct)
    {
        var decoded = OpenDecoded(account, message, part);
        await using (decoded.ConfigureAwait(false))
        {
            var buffer = new byte[ChunkSize];
            long length = 0;
            var nul = false;
            int read;
            while ((read = await decoded.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                nul |= buffer.AsSpan(0, read).Contains((byte)0);
                length += read;
            }
            return (length, nul);
        }
    }

    /// <summary>
    /// BINARY[part]&lt;partial&gt;: measures the decoded part, then decodes it again straight into the
    /// connection, in chunks, so a large attachment costs two reads, not its size in memory. A part
    /// that does not exist is an empty literal.
    /// </summary>
    private static async Task WriteDecodedAsync(ImapSession session, IMailAccount account, MessageRecord message, MimePartInfo? part, long? partialOffset, long? partialLength, CancellationToken ct)
    {
        var o = session.Output;
        if (part is null)
        {
            o.LiteralHeader(0);
            return;
        }
        var (total, hasNul) = await MeasureDecodedAsync(account, message, part, ct).ConfigureAwait(false);
        var (from, count) = Partial(total, partialOffset, partialLength);
        o.LiteralHeader(count, binary: hasNul);
        if (count == 0)
        {
            return;
        }
        var decoded = OpenDecoded(account, message, part);
        await using (decoded.ConfigureAwait(false))
        {
            var skip = new byte[ChunkSize];
            while (from > 0)
            {
                var read = await decoded.ReadAsync(skip.AsMemory(0, (int)Math.Min(from, ChunkSize)), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"stored message {message.BlobId} decoded shorter than measured");
                }
                from -= read;
            }
            var remaining = count;
            while (remaining > 0)
            {
                var want = (int)Math.Min(remaining, ChunkSize);
                var memory = o.Writer.GetMemory(want)[..want];
                var read = await decoded.ReadAsync(memory, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"stored message {message.BlobId} decoded shorter than measured");
                }
                o.Writer.Advance(read);
                remaining -= read;
                if (count > ChunkSize)
                {
                    await o.FlushAsync(ct).ConfigureAwait(false);
                }
            }
        }
    }
}
