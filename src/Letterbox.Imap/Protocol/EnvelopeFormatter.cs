using Letterbox.Store;

namespace Letterbox.Imap.Protocol;

/// <summary>Writes ENVELOPE (RFC 9051 §7.5.2) from the envelope computed at ingest.</summary>
public static class EnvelopeFormatter
{
    /// <summary>
    /// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    /// env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")".
    /// Sender and Reply-To fall back to From when absent or empty (RFC 3501 §7.4.2, RFC 9051 §7.5.2).
    /// </summary>
    public static void Write(ResponseWriter writer, MessageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        writer.WriteByte((byte)'(');
        writer.WriteNString(envelope.Date);
        writer.WriteSpace();
        writer.WriteNString(envelope.Subject);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.From);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.Sender.Count > 0 ? envelope.Sender : envelope.From);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.ReplyTo.Count > 0 ? envelope.ReplyTo : envelope.From);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.To);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.Cc);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.Bcc);
        writer.WriteSpace();
        writer.WriteNString(envelope.InReplyTo);
        writer.WriteSpace();
        writer.WriteNString(envelope.MessageId);
        writer.WriteByte((byte)')');
    }

    /// <summary>
    /// env-from = "(" 1*address ")" / nil; address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")".
    /// Group start and end entries come from the store as they are (host NIL; mailbox NIL for the end).
    /// </summary>
    public static void WriteAddresses(ResponseWriter writer, IReadOnlyList<EnvelopeAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteByte((byte)'(');
        foreach (var address in addresses)
        {
            writer.WriteByte((byte)'(');
            writer.WriteNString(address.Name);
            writer.WriteSpace();
            writer.WriteNString(address.Route);
            writer.WriteSpace();
            writer.WriteNString(address.Mailbox);
            writer.WriteSpace();
            writer.WriteNString(address.Host);
            writer.WriteByte((byte)')');
        }
        writer.WriteByte((byte)')');
    }
}
