using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The single writer of one account (DESIGN rule 3, group commit): every write operation is
/// queued; the loop takes everything pending, runs each operation under its own SAVEPOINT
/// (so one refused operation, or a MULTIAPPEND, is all-or-nothing on its own), commits once
/// (one WAL fsync for the whole group), then completes every caller and publishes changes.
/// </summary>
internal sealed class AccountWriter : IAsyncDisposable
{
    /// <summary>Most operations committed together in one transaction.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly AccountDatabase _account;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _commits;
    private int _queued;

    public AccountWriter(SqliteConnection connection, AccountDatabase account, ILogger logger)
    {
        _connection = connection;
        _account = account;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues an operation and returns once the transaction that ran it is durable.</summary>
    public Task<T> RunAsync<T>(Func<WriteContext, T> apply, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var request = new WriteRequest<T>(apply, ct);
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(request))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(AccountWriter));
        }
        return request.Task;
    }

    /// <summary>Transactions committed so far (one per group of operations).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Operations waiting for the writer.</summary>
    public int Queued => Volatile.Read(ref _queued);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        using var context = new WriteContext(_connection);
        var batch = new List<WriteRequest>(MaxBatch);
        var done = new List<(WriteRequest Request, long[] Mailboxes, string[] Blobs)>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            done.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var request))
            {
                Interlocked.Decrement(ref _queued);
                batch.Add(request);
            }

            try
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                context.Transaction = transaction;
                foreach (var request in batch)
                {
                    if (request.CancellationToken.IsCancellationRequested)
                    {
                        request.Cancel();
                        continue;
                    }
                    context.BeginOperation();
                    context.Execute("SAVEPOINT operation");
                    try
                    {
                        request.Execute(context);
                        context.Execute("RELEASE operation");
                        done.Add((request, [.. context.ChangedMailboxes.Distinct()], [.. context.ReleasedBlobs]));
                    }
                    catch (Exception ex) when (ex is not SqliteException || IsStatementError((SqliteException)ex))
                    {
                        context.Execute("ROLLBACK TO operation");
                        context.Execute("RELEASE operation");
                        request.Fail(ex is SqliteException sqlite ? Refused(sqlite) : ex);
                    }
                }
                transaction.Commit();
                Interlocked.Increment(ref _commits);
                StoreMetrics.CommitGroupSize.Record(batch.Count);
            }
            catch (Exception ex)
            {
                // Disk full or I/O error: the whole group rolled back; nothing of it is stored.
                StoreLog.CommitFailed(_logger, _account.AccountId, ex);
                StoreMetrics.CommitFailures.Add(1);
                var unavailable = new MailStoreException(MailStoreError.Unavailable, "The mail store could not commit; nothing was stored. Try again later.");
                foreach (var (request, _, _) in done)
                {
                    request.Fail(unavailable);
                }
                foreach (var request in batch)
                {
                    request.Fail(unavailable);
                }
                continue;
            }
            finally
            {
                context.Transaction = null;
            }

            foreach (var (request, mailboxes, blobs) in done)
            {
                DeleteUnreferencedBlobs(blobs);
                request.Complete();
                foreach (var mailbox in mailboxes)
                {
                    _account.Notifier.Publish(_account.AccountId, mailbox);
                }
            }
        }
    }

    /// <summary>
    /// After the commit (never before, DESIGN rule 3): deletes blob files whose content row is gone.
    /// A failure here leaves an orphan for the sweep; it never fails the committed operation.
    /// </summary>
    private void DeleteUnreferencedBlobs(string[] blobs)
    {
        if (blobs.Length == 0)
        {
            return;
        }
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM contents WHERE blob_id = $b";
            var parameter = command.Parameters.Add("$b", SqliteType.Text);
            foreach (var blob in blobs)
            {
                parameter.Value = blob;
                if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    _account.Blobs.DeleteIfUnused(blob);
                }
            }
        }
        catch (SqliteException ex)
        {
            StoreLog.BlobCleanupFailed(_logger, _account.AccountId, ex);
        }
    }

    /// <summary>Errors that concern only the statement (a constraint), not the database or the disk.</summary>
    private static bool IsStatementError(SqliteException ex) => ex.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */;

    private static MailStoreException Refused(SqliteException ex) =>
        new(MailStoreError.AlreadyExists, "The name or id is already in use: " + ex.Message);

    private abstract class WriteRequest(CancellationToken ct)
    {
        public CancellationToken CancellationToken { get; } = ct;

        public abstract void Execute(WriteContext context);

        public abstract void Complete();

        public abstract void Fail(Exception ex);

        public abstract void Cancel();
    }

    private sealed class WriteRequest<T>(Func<WriteContext, T> apply, CancellationToken ct) : WriteRequest(ct)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Execute(WriteContext context) => _result = apply(context);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception ex) => _completion.TrySetException(ex);

        public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
