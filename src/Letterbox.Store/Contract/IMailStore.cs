namespace Letterbox.Store;

/// <summary>
/// The mail store contract every protocol uses: the embedded implementation (SQLite + blob files)
/// and later the PostgreSQL one. Protocol projects know the store only through these interfaces.
/// </summary>
public interface IMailStore : IAsyncDisposable
{
    IAccountDirectory Directory { get; }

    /// <summary>Change notifications: sessions learn of other sessions' commits here.</summary>
    IMailboxChangeNotifier Changes { get; }

    /// <summary>
    /// Opens a user's account. The first open creates it with INBOX, Sent, Drafts, Trash, Junk
    /// and Archive (RFC 6154 special uses). The returned object is cheap; dispose it when done.
    /// </summary>
    Task<IMailAccount> OpenAccountAsync(UserRecord user, CancellationToken ct = default);

    /// <summary>Checks every account: blobs present and matching their hash, metadata consistent.</summary>
    Task<StoreCheckReport> CheckAsync(bool repair, CancellationToken ct = default);
}

/// <summary>One account's mailboxes and messages.</summary>
public interface IMailAccount : IAsyncDisposable
{
    UserRecord User { get; }

    Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken ct = default);
    /// <summary>Finds a mailbox by name; "INBOX" in any case means the inbox.</summary>
    Task<MailboxInfo?> GetMailboxAsync(string name, CancellationToken ct = default);
    Task<MailboxInfo> CreateMailboxAsync(string name, SpecialUse specialUse = SpecialUse.None, CancellationToken ct = default);
    Task DeleteMailboxAsync(string name, CancellationToken ct = default);
    /// <summary>Renames a mailbox and its children. Renaming INBOX moves its messages to the new mailbox (RFC 9051 §6.3.6).</summary>
    Task RenameMailboxAsync(string from, string to, CancellationToken ct = default);
    Task SetSubscribedAsync(string name, bool subscribed, CancellationToken ct = default);
    /// <summary>Subscriptions, which may name mailboxes that no longer exist.</summary>
    Task<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken ct = default);

    Task<MailboxStatus> GetStatusAsync(long mailboxId, CancellationToken ct = default);
    Task<MailboxState> LoadMailboxAsync(long mailboxId, CancellationToken ct = default);
    Task<MailboxDelta> GetChangesSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default);

    /// <summary>
    /// Stores messages in one mailbox atomically (MULTIAPPEND: all or none). Returns only once
    /// the blobs are flushed and the metadata commit is durable.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendAsync(long mailboxId, IReadOnlyList<NewMessage> messages, CancellationToken ct = default);

    /// <summary>
    /// The account's storage use against its quota (RFC 9208 STORAGE: octets of all its messages).
    /// An append that would pass the limit fails with <see cref="MailStoreError.OverQuota"/>.
    /// The default is "no quota" for stores that do not keep one.
    /// </summary>
    Task<QuotaUsage> GetQuotaAsync(CancellationToken ct = default) => Task.FromResult(new QuotaUsage(0, 0));

    /// <summary>Loads messages by UID (missing UIDs are skipped), ordered by UID.</summary>
    Task<IReadOnlyList<MessageRecord>> GetMessagesAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFields fields, CancellationToken ct = default);

    /// <summary>
    /// Changes flags. Each changed message gets a new MODSEQ. With <paramref name="unchangedSince"/>,
    /// messages whose MODSEQ is higher are left alone and returned in <see cref="FlagStoreResult.Failed"/>.
    /// </summary>
    Task<FlagStoreResult> StoreFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, FlagOperation operation, IReadOnlyCollection<string> flags, ulong? unchangedSince = null, CancellationToken ct = default);

    /// <summary>Expunges messages flagged \Deleted (all of them, or only those among <paramref name="uids"/>). Returns the expunged UIDs.</summary>
    Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default);

    /// <summary>
    /// <see cref="ExpungeAsync"/> that also says which MODSEQ the expunge took and what the mailbox's
    /// HIGHESTMODSEQ was just before it, so a session whose view was current can apply its own
    /// expunge without reading the changes back (RFC 7162 §3.2.10). The default (for stores that do
    /// not know) reports both as 0: unknown.
    /// </summary>
    async Task<ExpungeResult> ExpungeWithModSeqAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default) =>
        new(await ExpungeAsync(mailboxId, uids, ct).ConfigureAwait(false), 0, 0);

    /// <summary>Copies (or moves, atomically) messages to another mailbox of the account.</summary>
    Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long destinationMailboxId, bool move, CancellationToken ct = default);

    /// <summary>Opens the stored bytes of a message for reading (seekable).</summary>
    Stream OpenContent(MessageRecord message);
}

/// <summary>What STORE changed: the new state of each changed message, and the UIDs refused by UNCHANGEDSINCE.</summary>
public sealed record FlagStoreResult(IReadOnlyList<MessageState> Changed, IReadOnlyList<uint> Failed)
{
    /// <summary>
    /// The mailbox's HIGHESTMODSEQ just before this STORE; 0 when the store does not say. Equal to a
    /// session's view, it tells the session that nothing else changed the mailbox in between.
    /// </summary>
    public ulong ModSeqBefore { get; init; }
}

/// <summary>
/// What EXPUNGE removed, the MODSEQ it took (0 when nothing was removed, or not known) and the
/// mailbox's HIGHESTMODSEQ just before it (0 when not known).
/// </summary>
public sealed record ExpungeResult(IReadOnlyList<uint> Uids, ulong ModSeq, ulong ModSeqBefore);

/// <summary>The outcome of <c>letterbox store check</c>.</summary>
public sealed record StoreCheckReport(int Accounts, int Messages, int Blobs, IReadOnlyList<string> Problems, int OrphanBlobsRemoved)
{
    public bool Healthy => Problems.Count == 0;
}

/// <summary>In-process publish/subscribe of "mailbox changed" (EXISTS, EXPUNGE, FETCH FLAGS, IDLE push).</summary>
public interface IMailboxChangeNotifier
{
    /// <summary>Calls <paramref name="onChange"/> (on any thread, must not block) after each commit that changes the mailbox.</summary>
    IDisposable Subscribe(string accountId, long mailboxId, Action onChange);
    void Publish(string accountId, long mailboxId);
}

/// <summary>Why a store operation was refused; protocols map each to their own response code.</summary>
public enum MailStoreError
{
    NonExistent,
    AlreadyExists,
    HasChildren,
    CannotDeleteInbox,
    InvalidName,
    OverQuota,
    TooBig,
    /// <summary>Disk full or I/O error: try again later; nothing was stored.</summary>
    Unavailable,
}

/// <summary>A store operation refused; nothing was changed.</summary>
public sealed class MailStoreException(MailStoreError error, string message) : Exception(message)
{
    public MailStoreError Error { get; } = error;
}

/// <summary>Storage used and allowed, in octets; <see cref="LimitBytes"/> 0 means unlimited.</summary>
public sealed record QuotaUsage(long UsedBytes, long LimitBytes)
{
    /// <summary>Nothing more fits: the account is at or over its limit.</summary>
    public bool IsFull => LimitBytes > 0 && UsedBytes >= LimitBytes;
}
