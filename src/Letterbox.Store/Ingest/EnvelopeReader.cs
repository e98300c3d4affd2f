using MimeKit;
using MimeKit.Utils;

namespace Letterbox.Store.Ingest;

/// <summary>Builds the IMAP ENVELOPE fields (RFC 9051 §7.5.2) from a header block, raw.</summary>
internal static class EnvelopeReader
{
    public static MessageEnvelope Read(HeaderList headers)
    {
        var date = First(headers, HeaderId.Date);
        var from = Addresses(headers, HeaderId.From);
        var sender = Addresses(headers, HeaderId.Sender);
        var replyTo = Addresses(headers, HeaderId.ReplyTo);
        DateTimeOffset? sentDate = null;
        if (date is not null && DateUtils.TryParse(date, out var parsed))
        {
            sentDate = parsed;
        }

        return new MessageEnvelope
        {
            Date = date,
            Subject = First(headers, HeaderId.Subject),
            From = from,
            // RFC 9051 §7.5.2: "If the Sender or Reply-To lines are absent in the [RFC-5322]
            // header, or are present but empty, the server sets the corresponding member of
            // the envelope to be the same value as the from member."
            Sender = sender.Count == 0 ? from : sender,
            ReplyTo = replyTo.Count == 0 ? from : replyTo,
            To = Addresses(headers, HeaderId.To),
            Cc = Addresses(headers, HeaderId.Cc),
            Bcc = Addresses(headers, HeaderId.Bcc),
            InReplyTo = First(headers, HeaderId.InReplyTo),
            MessageId = First(headers, HeaderId.MessageId),
            SentDate = sentDate,
        };
    }

    /// <summary>The raw, unfolded value of the first header with that id, or null.</summary>
    public static string? First(HeaderList headers, HeaderId id)
    {
        foreach (var header in headers)
        {
            if (header.Id == id)
            {
                return RawHeaderValue.Unfold(header.RawValue);
            }
        }
        return null;
    }

    private static IReadOnlyList<EnvelopeAddress> Addresses(HeaderList headers, HeaderId id)
    {
        var raw = First(headers, id);
        return raw is null ? [] : RawAddressList.Parse(raw);
    }
}
