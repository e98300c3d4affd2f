namespace Letterbox.Store.Embedded;

/// <summary>
/// One session's handle on an account. Cheap: all state lives in the shared
/// <see cref="AccountDatabase"/>; disposing the handle leaves the account open for others.
/// </summary>
internal sealed class EmbeddedMailAccount(UserRecord user, AccountDatabase account, long maxMessageSize) : IMailAccount
{
    private int _disposed;

    public UserRecord User { get; } = user;

    public async Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken ct = default)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.ListAsync(connection, ct).ConfigureAwait(false);
    }

    public async Task<MailboxInfo?> GetMailboxAsync(string name, CancellationToken ct = default)
    {
        if (!MailboxName.TryNormalize(name, out var normalized, out _))
        {
            return null;
        }
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.FindAsync(connection, normalized, ct).ConfigureAwait(false);
    }

    public Task<MailboxInfo> CreateMailboxAsync(string name, SpecialUse specialUse = SpecialUse.None, CancellationToken ct = default) =>
        WriteAsync(context => MailboxCatalog.Create(context, name, specialUse), ct);

    public Task DeleteMailboxAsync(string name, CancellationToken ct = default) =>
        WriteAsync(context => MailboxCatalog.Delete(context, name), ct);

    public Task RenameMailboxAsync(string from, string to, CancellationToken ct = default) =>
        WriteAsync(context => MailboxCatalog.Rename(context, from, to), ct);

    public Task SetSubscribedAsync(string name, bool subscribed, CancellationToken ct = default) =>
        WriteAsync(context => MailboxCatalog.SetSubscribed(context, name, subscribed), ct);

    public async Task<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken ct = default)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.SubscriptionsAsync(connection, ct).ConfigureAwait(false);
    }

    public async Task<MailboxStatus> GetStatusAsync(long mailboxId, CancellationToken ct = default)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.StatusAsync(connection, mailboxId, ct).ConfigureAwait(false);
    }

    public async Task<MailboxState> LoadMailboxAsync(long mailboxId, CancellationToken ct = default)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.LoadAsync(connection, mailboxId, ct).ConfigureAwait(false);
    }

    public async Task<MailboxDelta> GetChangesSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.ChangesSinceAsync(connection, mailboxId, modSeq, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AppendResult>> AppendAsync(long mailboxId, IReadOnlyList<NewMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ThrowIfDisposed();
        if (messages.Count == 0)
        {
            return [];
        }
        var staged = new List<MessageWrites.PendingAppend>(messages.Count);
        try
        {
            // DESIGN rule 3: every blob is on disk (flushed, renamed, directory flushed) before
            // the metadata transaction that refers to it is queued.
            foreach (var message in messages)
            {
                var blob = await account.Blobs.StageAsync(message.Content, maxMessageSize, ct).ConfigureAwait(false);
                staged.Add(new MessageWrites.PendingAppend(blob, message.Flags, message.InternalDate));
            }
            return await account.WriteAsync(context => MessageWrites.Append(context, mailboxId, staged), ct).ConfigureAwait(false);
        }
        finally
        {
            // Committed blobs are protected by their rows now; failed ones are orphans for the sweep.
            foreach (var item in staged)
            {
                account.Blobs.Release(item.Blob.BlobId);
            }
        }
    }

    public async Task<IReadOnlyList<MessageRecord>> GetMessagesAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFields fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (uids.Count == 0)
        {
            return [];
        }
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        return await MessageReads.MessagesAsync(connection, mailboxId, uids, fields, ct).ConfigureAwait(false);
    }

    public Task<FlagStoreResult> StoreFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, FlagOperation operation, IReadOnlyCollection<string> flags, ulong? unchangedSince = null, CancellationToken ct = default) =>
        WriteAsync(context => MessageWrites.StoreFlags(context, mailboxId, uids, operation, flags, unchangedSince), ct);

    public Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default) =>
        WriteAsync(context => MessageWrites.Expunge(context, mailboxId, uids), ct);

    public Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long destinationMailboxId, bool move, CancellationToken ct = default) =>
        WriteAsync(context => MessageWrites.Copy(context, sourceMailboxId, uids, destinationMailboxId, move), ct);

    public Stream OpenContent(MessageRecord message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!BlobStore.IsBlobId(message.BlobId))
        {
            throw new ArgumentException("Not a blob id.", nameof(message));
        }
        try
        {
            return new FileStream(account.Blobs.PathOf(message.BlobId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 16 * 1024);
        }
        catch (FileNotFoundException)
        {
            throw new MailStoreException(MailStoreError.NonExistent, "The message has been expunged.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new MailStoreException(MailStoreError.NonExistent, "The message has been expunged.");
        }
        catch (IOException ex)
        {
            throw new MailStoreException(MailStoreError.Unavailable, "The message cannot be read: " + ex.Message);
        }
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }

    private Task<T> WriteAsync<T>(Func<WriteContext, T> apply, CancellationToken ct)
    {
        ThrowIfDisposed();
        return account.WriteAsync(apply, ct);
    }

    private Task<Microsoft.Data.Sqlite.SqliteConnection> ReadAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        return account.ReadAsync(ct);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
