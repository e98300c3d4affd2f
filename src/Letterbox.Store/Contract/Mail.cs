namespace Letterbox.Store;

/// <summary>RFC 6154 special uses a mailbox may carry.</summary>
[Flags]
public enum SpecialUse
{
    None = 0,
    All = 1,
    Archive = 2,
    Drafts = 4,
    Flagged = 8,
    Junk = 16,
    Sent = 32,
    Trash = 64,
}

/// <summary>
/// A mailbox as the store keeps it. <see cref="Name"/> is UTF-8 with '/' as the hierarchy
/// separator; "INBOX" is always spelled in upper case.
/// </summary>
public sealed record MailboxInfo(
    long Id,
    string Name,
    uint UidValidity,
    SpecialUse SpecialUse,
    bool Subscribed);

/// <summary>Counters of one mailbox (IMAP STATUS, POP3 STAT).</summary>
public sealed record MailboxStatus(
    long MailboxId,
    int Messages,
    int Unseen,
    uint UidNext,
    uint UidValidity,
    ulong HighestModSeq,
    long Size,
    int Deleted);

/// <summary>One message's per-mailbox state: what a session keeps in its view.</summary>
public readonly record struct MessageState(uint Uid, ulong ModSeq, IReadOnlyList<string> Flags);

/// <summary>A whole mailbox's state, ordered by UID: what SELECT loads.</summary>
public sealed record MailboxState(
    MailboxInfo Mailbox,
    uint UidNext,
    ulong HighestModSeq,
    IReadOnlyList<MessageState> Messages);

/// <summary>
/// What changed in a mailbox since a MODSEQ: messages added or whose flags changed
/// (ordered by UID) and UIDs expunged. Sessions turn it into EXISTS / FETCH / EXPUNGE.
/// </summary>
public sealed record MailboxDelta(
    ulong HighestModSeq,
    uint UidNext,
    IReadOnlyList<MessageState> Changed,
    IReadOnlyList<uint> Expunged);

/// <summary>Which of a message's stored parts to load.</summary>
[Flags]
public enum MessageFields
{
    /// <summary>Uid, modseq, flags, internal date, size, blob id.</summary>
    Basic = 0,
    Envelope = 1,
    Structure = 2,
    /// <summary>The decoded text of the message (headers and text parts) kept for SEARCH.</summary>
    SearchText = 4,
}

/// <summary>A stored message. Structure and envelope were computed once, at ingest.</summary>
public sealed class MessageRecord
{
    public required uint Uid { get; init; }
    public required ulong ModSeq { get; init; }
    public required IReadOnlyList<string> Flags { get; init; }
    public required DateTimeOffset InternalDate { get; init; }
    public required DateTimeOffset SaveDate { get; init; }
    /// <summary>Exact size in octets of the stored bytes (RFC822.SIZE).</summary>
    public required long Size { get; init; }
    /// <summary>Content address (lower-case hex SHA-256) of the immutable blob.</summary>
    public required string BlobId { get; init; }
    /// <summary>Stable, never reused id of the message in its account (OBJECTID EMAILID, POP3 UIDL).</summary>
    public required string EmailId { get; init; }
    public MessageEnvelope? Envelope { get; init; }
    public MimePartInfo? Structure { get; init; }
    public string? SearchText { get; init; }
}

public enum FlagOperation
{
    Replace,
    Add,
    Remove,
}

/// <summary>Result of APPEND: where the message landed.</summary>
public readonly record struct AppendResult(long MailboxId, uint UidValidity, uint Uid, ulong ModSeq)
{
    /// <summary>The mailbox's HIGHESTMODSEQ just before this APPEND; 0 when the store does not say.</summary>
    public ulong ModSeqBefore { get; init; }

    /// <summary>The flags the message was stored with (as a later read would return them); null when not known.</summary>
    public IReadOnlyList<string>? Flags { get; init; }
}

/// <summary>Result of COPY / MOVE: source UIDs and the UIDs they got in the destination, pairwise.</summary>
public sealed record CopyResult(uint DestinationUidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> DestinationUids);

/// <summary>A message to store: its bytes (read once, to the end) and its initial state.</summary>
public sealed record NewMessage(Stream Content, IReadOnlyCollection<string> Flags, DateTimeOffset? InternalDate);
