using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Letterbox.Smtp.Delivery;
using Letterbox.Smtp.Protocol;

namespace Letterbox.Smtp;

/// <summary>DATA (RFC 5321 §4.1.1.4; RFC 2033 §4.2: one reply per accepted recipient over LMTP).</summary>
internal sealed partial class SmtpSession
{
    private ArrayBufferWriter<byte>? _dataChunk;

    private async Task<Flow> DataAsync()
    {
        var mail = (MailState)_state;
        if (mail.Chunks is not null)
        {
            return Reply(SmtpReply.DataAfterBdat);
        }
        if (mail.Mail.Body == SmtpBody.BinaryMime)
        {
            // RFC 3030 §3: binary content cannot be dot-stuffed; only BDAT carries it.
            return Reply(SmtpReply.BinaryNeedsBdat);
        }
        if (mail.Recipients.Count == 0)
        {
            // RFC 5321 §3.3, RFC 2920 §3.1: DATA without a valid recipient (also when pipelined after refused RCPTs).
            return Reply(SmtpReply.NoValidRecipients);
        }
        // Small messages stay in memory; a larger one spills to a spool file (MessageSpool.InMemoryLimit).
        var spool = new MessageSpool(() => OpenSpoolFile(bufferSize: 0));
        await using (spool.ConfigureAwait(false))
        {
            SmtpReply.StartData.WriteTo(Output);
            var decoder = new DataDecoder(Options.Limits.MaxMessageSize);
            if (!await ReceiveDataAsync(decoder, spool).ConfigureAwait(false))
            {
                _end = SessionEnd.ClientClosed;
                return Flow.Close;
            }
            _state = mail.Hello;
            _commandsWithoutMail = 0;
            SmtpMetrics.ReceivedBytes.Add(decoder.Size);
            if (decoder.TooBig)
            {
                // RFC 5321 §4.5.3.1.10 / RFC 1870 §6.4: drained, not stored.
                return ReplyForEach(mail, _ => SmtpReply.TooBig);
            }
            if (spool.Failed)
            {
                // The spill file could not be written (disk full): drained, nothing stored, the sender retries.
                return ReplyForEach(mail, _ => SmtpReply.TemporaryFailure);
            }
            return await DeliverAsync(mail, spool, decoder.Size).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A spool file for one message, deleted on close: it only carries the message from the socket to the store. Null when the disk refuses.
    /// Unbuffered by default (DATA writes whole decoded chunks); BDAT, which writes pipe segments, asks for a buffer.
    /// </summary>
    private FileStream? OpenSpool(int bufferSize = 0)
    {
        try
        {
            return OpenSpoolFile(bufferSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="OpenSpool"/>, throwing (after logging) when the disk refuses.</summary>
    private FileStream OpenSpoolFile(int bufferSize)
    {
        var spoolDirectory = Letterbox.Core.Spool.Directory(Options.DataDirectory);
        try
        {
            Directory.CreateDirectory(spoolDirectory);
            // Synchronous and unbuffered: the session writes whole decoded chunks, each straight to the
            // page cache; on Unix an async file write would only be the same call on a pool thread.
            return new FileStream(Path.Combine(spoolDirectory, "smtp-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize,
                FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SmtpLog.SpoolFailed(_log, e, Mode);
            throw;
        }
    }

    /// <summary>Hands a complete spooled message to the pipeline and answers: one reply over SMTP, one per recipient over LMTP (RFC 2033 §4.2).</summary>
    private async Task<Flow> DeliverAsync(MailState mail, Stream spool, long size)
    {
        spool.Flush();
        spool.Position = 0;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var message = new InboundMessage(mail.Mail.Argument, mail.Recipients, ReceivedHeader(mail, id), spool, _connection.RemoteEndPoint.Address, mail.Hello.ClientName);
        // The delivery must not be abandoned half-way because the client went quiet; the stopping token is not ours to ignore, the idle one is.
        _idle!.CancelAfter(Timeout.InfiniteTimeSpan);
        var outcomes = await _delivery.DeliverAsync(message, CancellationToken.None).ConfigureAwait(false);
        SmtpMetrics.Messages.Add(1);
        SmtpLog.Received(_log, Mode, id, mail.Mail.Argument, size, mail.Recipients.Count, _connection.RemoteEndPoint);
        if (Mode == SmtpMode.Lmtp)
        {
            var flow = Flow.Continue;
            foreach (var outcome in outcomes)
            {
                flow = Reply(ReplyFor(outcome, id));
                if (flow == Flow.Close)
                {
                    break;
                }
            }
            return flow;
        }
        return Reply(SmtpSummary(outcomes, id));
    }

    /// <summary>Streams the data to the spool through the decoder until CRLF.CRLF; false when the client went away first.</summary>
    private async Task<bool> ReceiveDataAsync(DataDecoder decoder, MessageSpool spool)
    {
        var input = _connection.Input;
        // Kept for the session's next messages (an MTA sends many over one LMTP connection).
        var chunk = _dataChunk ??= new ArrayBufferWriter<byte>(16 * 1024);
        chunk.ResetWrittenCount();
        while (true)
        {
            _idle!.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, Limits.DataTimeoutSeconds)));
            await Output.FlushAsync(IdleToken).ConfigureAwait(false);
            var result = await input.ReadAsync(IdleToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            long consumed = 0;
            foreach (var segment in buffer)
            {
                consumed += decoder.Decode(segment.Span, chunk);
                if (decoder.IsComplete)
                {
                    break;
                }
            }
            if (chunk.WrittenCount > 0)
            {
                spool.Write(chunk.WrittenSpan);
                chunk.ResetWrittenCount();
            }
            input.AdvanceTo(buffer.GetPosition(consumed));
            if (decoder.IsComplete)
            {
                _lines.Reset();
                return true;
            }
            if (result.IsCompleted)
            {
                return false;
            }
        }
    }

    private Flow ReplyForEach(MailState mail, Func<Recipient, SmtpReply> reply)
    {
        if (Mode == SmtpMode.Smtp)
        {
            return Reply(reply(mail.Recipients[0]));
        }
        foreach (var recipient in mail.Recipients)
        {
            if (Reply(reply(recipient)) == Flow.Close)
            {
                return Flow.Close;
            }
        }
        return Flow.Continue;
    }

    private static SmtpReply ReplyFor(DeliveryOutcome outcome, string id) => outcome.Status switch
    {
        DeliveryStatus.Delivered => new SmtpReply(250, "2.0.0", $"<{outcome.Recipient.Address}> delivered as {id}"),
        DeliveryStatus.TooBig => SmtpReply.TooBig,
        DeliveryStatus.OverQuota => SmtpReply.OverQuota,
        DeliveryStatus.UnknownUser => SmtpReply.UnknownUser,
        // RFC 7489 §10.3 / RFC 7372 §3.1: 5.7.1 for a message refused by policy; RFC 3463 4.4.3 for a DNS failure.
        DeliveryStatus.Rejected => new SmtpReply(550, "5.7.1", "Message refused: DMARC policy of the sender's domain"),
        DeliveryStatus.Deferred => new SmtpReply(451, "4.4.3", "Sender checks hit a DNS error, try again later"),
        _ => SmtpReply.TemporaryFailure,
    };

    /// <summary>
    /// SMTP has one reply for all recipients. 250 only when every recipient's copy is durable; when
    /// some were stored and others failed, 451 makes the sender retry all of them: a duplicate is
    /// better than a message acknowledged and lost.
    /// </summary>
    private static SmtpReply SmtpSummary(IReadOnlyList<DeliveryOutcome> outcomes, string id)
    {
        if (outcomes.All(o => o.Status == DeliveryStatus.Delivered))
        {
            return new SmtpReply(250, "2.0.0", $"Ok: queued as {id}");
        }
        if (outcomes.Any(o => o.Status is DeliveryStatus.Delivered or DeliveryStatus.TemporaryFailure))
        {
            return SmtpReply.TemporaryFailure;
        }
        return ReplyFor(outcomes[0], id);
    }

    /// <summary>
    /// RFC 5321 §4.4 trace header, with RFC 3848 protocol names (ESMTPS: over TLS) and the TLS
    /// version and cipher in a comment. "for" only with one recipient, so Bcc recipients stay hidden.
    /// </summary>
    private string ReceivedHeader(MailState mail, string id)
    {
        var protocol = (Mode, mail.Hello.Extended, _connection.IsTls) switch
        {
            (SmtpMode.Lmtp, _, true) => "LMTPS",
            (SmtpMode.Lmtp, _, false) => "LMTP",
            (_, true, true) => "ESMTPS",
            (_, true, false) => "ESMTP",
            _ => "SMTP",
        };
        if (mail.Mail.SmtpUtf8)
        {
            // RFC 6531 §3.7.3: UTF8SMTP / UTF8SMTPS (UTF8SMTPA with AUTH, which this MX does not offer) and UTF8LMTP(S).
            protocol = "UTF8" + protocol.TrimStart('E');
        }
        var helo = Sanitize(HeloForHeader(mail));
        var tls = _connection.TlsDescription is { } description ? $"\r\n\t(using {description})" : "";
        var recipient = mail.Recipients.Count == 1 ? $"\r\n\tfor <{Sanitize(mail.Recipients[0].Address)}>" : "";
        var date = _server.Time.GetUtcNow().ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        return $"Received: from {helo} ([{_connection.RemoteEndPoint.Address}])\r\n\tby {_server.HostName} (Letterbox) with {protocol} id {id}{tls}{recipient};\r\n\t{date}\r\n";
    }

    /// <summary>
    /// RFC 6531 §3.3: a UTF-8 EHLO domain is fine in an SMTPUTF8 transaction; otherwise the header must
    /// stay ASCII, so the name goes in as its IDNA A-label (or is replaced by "?" when it is no domain at all).
    /// </summary>
    private static string HeloForHeader(MailState mail)
    {
        var name = mail.Hello.ClientName;
        if (mail.Mail.SmtpUtf8 || System.Text.Ascii.IsValid(name))
        {
            return name;
        }
        try
        {
            return new IdnMapping { UseStd3AsciiRules = false }.GetAscii(name);
        }
        catch (ArgumentException)
        {
            return new string(name.Select(c => c < 128 ? c : '?').ToArray());
        }
    }

    /// <summary>The HELO name is the client's word: keep it from breaking the header (no parentheses or control characters).</summary>
    private static string Sanitize(string text)
    {
        var chars = text.Select(c => char.IsControl(c) || c is '(' or ')' or '\\' ? '?' : c).ToArray();
        return new string(chars);
    }
}
