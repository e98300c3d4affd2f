namespace Letterbox.Store;

/// <summary>
/// An address as it appears in a header, kept raw (still RFC 2047-encoded) so IMAP can
/// return ENVELOPE exactly. A group start has <see cref="Host"/> null and <see cref="Mailbox"/>
/// the group name; a group end has both null (RFC 9051 §7.5.2 ENVELOPE).
/// </summary>
public sealed record EnvelopeAddress(string? Name, string? Route, string? Mailbox, string? Host);

/// <summary>The envelope fields of a message, raw header values (unfolded, not decoded).</summary>
public sealed class MessageEnvelope
{
    public string? Date { get; init; }
    public string? Subject { get; init; }
    public IReadOnlyList<EnvelopeAddress> From { get; init; } = [];
    public IReadOnlyList<EnvelopeAddress> Sender { get; init; } = [];
    public IReadOnlyList<EnvelopeAddress> ReplyTo { get; init; } = [];
    public IReadOnlyList<EnvelopeAddress> To { get; init; } = [];
    public IReadOnlyList<EnvelopeAddress> Cc { get; init; } = [];
    public IReadOnlyList<EnvelopeAddress> Bcc { get; init; } = [];
    public string? InReplyTo { get; init; }
    public string? MessageId { get; init; }
    /// <summary>The Date header parsed, when it parses (SEARCH SENTBEFORE/SENTON/SENTSINCE, SORT).</summary>
    public DateTimeOffset? SentDate { get; init; }
}

/// <summary>A name=value parameter of Content-Type or Content-Disposition, in header order.</summary>
public sealed record MimeParameter(string Name, string Value);

/// <summary>
/// One MIME part with byte offsets into the stored message, computed once at ingest.
/// Offsets are absolute within the blob. The header of a part runs from
/// <see cref="HeaderOffset"/> for <see cref="HeaderLength"/> octets (including the blank line);
/// its body from <see cref="BodyOffset"/> for <see cref="BodyLength"/> octets.
/// </summary>
public sealed class MimePartInfo
{
    public required string Type { get; init; }
    public required string Subtype { get; init; }
    public IReadOnlyList<MimeParameter> Parameters { get; init; } = [];
    public string? ContentId { get; init; }
    public string? Description { get; init; }
    /// <summary>Content-Transfer-Encoding as written, or null (IMAP then says "7BIT").</summary>
    public string? TransferEncoding { get; init; }
    public string? Md5 { get; init; }
    public string? Disposition { get; init; }
    public IReadOnlyList<MimeParameter> DispositionParameters { get; init; } = [];
    public IReadOnlyList<string>? Languages { get; init; }
    public string? Location { get; init; }
    public required long HeaderOffset { get; init; }
    public required long HeaderLength { get; init; }
    public required long BodyOffset { get; init; }
    public required long BodyLength { get; init; }
    /// <summary>Body size in lines, for text/* and message/rfc822 parts.</summary>
    public long Lines { get; init; }
    /// <summary>Children of a multipart, in order.</summary>
    public IReadOnlyList<MimePartInfo> Children { get; init; } = [];
    /// <summary>For message/rfc822 (and message/global): the enclosed message's envelope and root part.</summary>
    public MessageEnvelope? EncapsulatedEnvelope { get; init; }
    public MimePartInfo? EncapsulatedBody { get; init; }

    public bool IsMultipart => string.Equals(Type, "multipart", StringComparison.OrdinalIgnoreCase);
    public bool IsMessage => string.Equals(Type, "message", StringComparison.OrdinalIgnoreCase)
        && (string.Equals(Subtype, "rfc822", StringComparison.OrdinalIgnoreCase) || string.Equals(Subtype, "global", StringComparison.OrdinalIgnoreCase));
}
