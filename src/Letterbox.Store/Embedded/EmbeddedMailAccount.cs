using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// One session's handle on an _account. Cheap: all state lives in the shared
/// <see cref="AccountDatabase"/>; disposing the handle leaves the account open for others.
/// </summary>
internal sealed class EmbeddedMailAccount(UserRecord user, AccountLease lease, long maxMessageSize, long quotaBytes = 0) : IMailAccount
{
    private readonly AccountDatabase _account = lease.Database;

    /// <summary>Messages of one APPEND staged to disk at the same time.</summary>
    public const int MaxParallelStaging = 4;

    private int _disposed;

    public UserRecord User { get; } = user;

    public async Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken ct = default)
    {
        return await ReadAsync((statements, token) => MessageReads.ListAsync(statements, token), ct).ConfigureAwait(false);
    }

    public async Task<MailboxInfo?> GetMailboxAsync(string name, CancellationToken ct = default)
    {
        if (!MailboxName.TryNormalize(name, out var normalized, out _))
        {
            return null;
        }
        return await ReadAsync((statements, token) => MessageReads.FindAsync(statements, normalized, token), ct).ConfigureAwait(false);
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
        return await ReadAsync((statements, token) => MessageReads.SubscriptionsAsync(statements, token), ct).ConfigureAwait(false);
    }

    public async Task<MailboxStatus> GetStatusAsync(long mailboxId, CancellationToken ct = default)
    {
        return await ReadAsync((statements, token) => MessageReads.StatusAsync(statements, mailboxId, token), ct).ConfigureAwait(false);
    }

    public async Task<MailboxState> LoadMailboxAsync(long mailboxId, CancellationToken ct = default)
    {
        return await ReadAsync((statements, token) => MessageReads.LoadAsync(statements, mailboxId, token), ct).ConfigureAwait(false);
    }

    public Task<MailboxDelta> GetChangesSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default)
    {
        ThrowIfDisposed();
        return _account.ChangeReads.ReadAsync(mailboxId, modSeq, ct);
    }

    public async Task<IReadOnlyList<AppendResult>> AppendAsync(long mailboxId, IReadOnlyList<NewMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ThrowIfDisposed();
        if (messages.Count == 0)
        {
            return [];
        }
        var staged = new MessageWrites.PendingAppend?[messages.Count];
        try
        {
            // DESIGN rule 3: every blob is on disk (flushed, renamed, directory flushed) before
            // the metadata transaction that refers to it is queued. The messages of a
            // MULTIAPPEND are staged a few at a time, so their flushes overlap.
            if (messages.Count == 1)
            {
                // The common case (a delivery, a plain APPEND): no parallel loop to set up.
                var blob = await _account.Blobs.StageAsync(messages[0].Content, maxMessageSize, ct).ConfigureAwait(false);
                staged[0] = new MessageWrites.PendingAppend(blob, messages[0].Flags, messages[0].InternalDate);
            }
            else
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelStaging, CancellationToken = ct };
                await Parallel.ForEachAsync(Enumerable.Range(0, messages.Count), options, async (i, token) =>
                {
                    var message = messages[i];
                    var blob = await _account.Blobs.StageAsync(message.Content, maxMessageSize, token).ConfigureAwait(false);
                    staged[i] = new MessageWrites.PendingAppend(blob, message.Flags, message.InternalDate);
                }).ConfigureAwait(false);
            }
            var ready = staged.Select(s => s!).ToList();
            var results = await _account.WriteAsync(context =>
            {
                var before = context.MailboxModSeq(mailboxId);
                var appended = MessageWrites.Append(context, mailboxId, ready, quotaBytes);
                // The stored flags and the mailbox's MODSEQ before: a session that had seen
                // everything up to it adds its own message to its view without reading it back.
                return (IReadOnlyList<AppendResult>)[.. appended.Select((r, i) => r with { ModSeqBefore = before, Flags = FlagSet.Canonical(ready[i].Flags) })];
            }, ct).ConfigureAwait(false);
            StoreMetrics.MessagesAppended.Add(ready.Count);
            StoreMetrics.BytesAppended.Add(ready.Sum(r => r.Blob.Size));
            return results;
        }
        finally
        {
            // Committed blobs are protected by their rows now; failed ones are orphans for the sweep.
            foreach (var item in staged)
            {
                if (item is not null)
                {
                    _account.Blobs.Release(item.Blob.BlobId);
                }
            }
        }
    }

    public async Task<QuotaUsage> GetQuotaAsync(CancellationToken ct = default)
    {
        if (quotaBytes <= 0)
        {
            // No limit, no quota root (RFC 9208): the usage would be summed over every message for
            // nothing, and delivery asks at every RCPT.
            return new QuotaUsage(0, 0);
        }
        var used = await ReadAsync(async (statements, token) =>
        {
            await using var command = statements.Command(MessageWrites.UsageQuery);
            return Convert.ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }, ct).ConfigureAwait(false);
        return new QuotaUsage(used, quotaBytes);
    }

    public async Task<IReadOnlyList<MessageRecord>> GetMessagesAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFields fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (uids.Count == 0)
        {
            return [];
        }
        return await ReadAsync((statements, token) => MessageReads.MessagesAsync(statements, mailboxId, uids, fields, token), ct).ConfigureAwait(false);
    }

    public Task<FlagStoreResult> StoreFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, FlagOperation operation, IReadOnlyCollection<string> flags, ulong? unchangedSince = null, CancellationToken ct = default) =>
        WriteAsync(context =>
        {
            var before = context.MailboxModSeq(mailboxId);
            return MessageWrites.StoreFlags(context, mailboxId, uids, operation, flags, unchangedSince) with { ModSeqBefore = before };
        }, ct);

    public async Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default) =>
        (await ExpungeWithModSeqAsync(mailboxId, uids, ct).ConfigureAwait(false)).Uids;

    public Task<ExpungeResult> ExpungeWithModSeqAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default) =>
        WriteAsync(context =>
        {
            var before = context.MailboxModSeq(mailboxId);
            var expunged = MessageWrites.Expunge(context, mailboxId, uids);
            return new ExpungeResult(expunged, expunged.Count == 0 ? 0 : context.ModSeqTaken, before);
        }, ct);

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
            // Unbuffered (bufferSize 0): every reader (FETCH, RETR, header sections) reads in chunks of
            // its own straight into its output; a FileStream buffer would cost 16 KB per open and a copy
            // (bench/Letterbox.MicroBench: FETCH of 100 header sections allocated 2.5 MB).
            // Asynchronous: a plaintext FETCH hands large bodies to the socket with sendfile
            // (SendPacketsElement takes only asynchronous file streams); on Linux the flag changes nothing else.
            return new FileStream(_account.Blobs.PathOf(message.BlobId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
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
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lease.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private Task<T> WriteAsync<T>(Func<WriteContext, T> apply, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _account.WriteAsync(apply, ct);
    }

    /// <summary>Runs a read on a kept read connection of the account; database errors become <see cref="MailStoreError.Unavailable"/>.</summary>
    private Task<T> ReadAsync<T>(Func<PreparedStatements, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        ThrowIfDisposed();
        return _account.QueryAsync(read, ct);
    }

    /// <summary>The shared account state behind this handle (tests look at its writer).</summary>
    internal AccountDatabase Database => _account;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
