using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The shared state of one open account (DESIGN rule 8: one SQLite database per account):
/// paths, the single writer, the blob files. Every session of the account shares it.
/// Reads use pooled connections of their own (WAL lets them run beside the writer), each with its
/// kept prepared statements.
/// </summary>
internal sealed class AccountDatabase : IAsyncDisposable
{
    /// <summary>
    /// Open read connections kept per account between reads, with their compiled statements.
    /// Beyond it a read's connection goes back to Microsoft.Data.Sqlite's pool (statements finalized).
    /// </summary>
    public const int MaxKeptReadConnections = 4;

    private readonly string _connectionString;
    private readonly AccountWriter _writer;
    private readonly Lock _readsLock = new();
    private readonly Stack<PreparedStatements> _keptReads = new();
    private bool _closed;

    private AccountDatabase(string accountId, string directory, IMailboxChangeNotifier notifier, ILogger logger, SqliteConnection writerConnection)
    {
        AccountId = accountId;
        Directory = directory;
        Notifier = notifier;
        DatabasePath = Path.Combine(directory, "mail.db");
        _connectionString = ConnectionString(DatabasePath);
        Blobs = new BlobStore(Path.Combine(directory, "blobs"));
        _writer = new AccountWriter(writerConnection, this, logger);
        ChangeReads = new SharedChangeReads(ReadChangesAsync);
    }

    public string AccountId { get; }

    public string Directory { get; }

    public string DatabasePath { get; }

    public BlobStore Blobs { get; }

    public IMailboxChangeNotifier Notifier { get; }

    /// <summary>Opens (creating on first use) an account folder and its database; sweeps leftover temp blobs.</summary>
    public static async Task<AccountDatabase> OpenAsync(string directory, string accountId, IMailboxChangeNotifier notifier, ILogger logger, TimeSpan orphanGrace, CancellationToken ct)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.CreateDirectory(directory);
            // The new account folder itself must survive a crash, not only the files in it.
            BlobStore.FlushDirectory(Path.GetDirectoryName(directory)!);
        }
        var path = Path.Combine(directory, "mail.db");
        var connection = new SqliteConnection(ConnectionString(path));
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            AccountSchema.ConfigureWriter(connection);
            AccountSchema.Create(connection);
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MailStoreException(MailStoreError.Unavailable, $"The mail database of account {accountId} cannot be opened: {ex.Message}");
        }

        var account = new AccountDatabase(accountId, directory, notifier, logger, connection);
        try
        {
            // Nothing of this account is in flight in this process yet; temp files older than the
            // grace period are crash leftovers (younger ones may be another process's writes).
            var swept = account.Blobs.SweepOrphans(isReferenced: _ => true, remove: true, orphanGrace).Count;
            if (swept > 0)
            {
                StoreLog.TempFilesSwept(logger, accountId, swept);
            }
            await account.WriteAsync(MailboxCatalog.CreateDefaultsOnce, ct).ConfigureAwait(false);
        }
        catch
        {
            await account.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        StoreLog.AccountOpened(logger, accountId);
        return account;
    }

    public Task<T> WriteAsync<T>(Func<WriteContext, T> apply, CancellationToken ct) => _writer.RunAsync(apply, ct);

    /// <summary>The account's single writer (its counters show how operations were grouped).</summary>
    public AccountWriter Writer => _writer;

    /// <summary>"What changed since MODSEQ" answered once for all sessions asking it at the same moment.</summary>
    public SharedChangeReads ChangeReads { get; }

    private Task<MailboxDelta> ReadChangesAsync(long mailboxId, ulong modSeq) =>
        QueryAsync((statements, ct) => MessageReads.ChangesSinceAsync(statements, mailboxId, modSeq, ct), CancellationToken.None);

    /// <summary>
    /// Runs a read on a kept read connection (one read at a time on each: it is taken from the
    /// stack for the read and pushed back after it); a database error becomes <see cref="MailStoreError.Unavailable"/>.
    /// </summary>
    public async Task<T> QueryAsync<T>(Func<PreparedStatements, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var statements = TakeKeptRead() ?? new PreparedStatements(await ReadAsync(ct).ConfigureAwait(false));
        var reusable = false;
        try
        {
            var result = await read(statements, ct).ConfigureAwait(false);
            reusable = true;
            return result;
        }
        catch (SqliteException ex)
        {
            throw new MailStoreException(MailStoreError.Unavailable, "The mail database cannot be read: " + ex.Message);
        }
        catch (MailStoreException)
        {
            // A refusal (no such mailbox) read to the end: the connection is clean.
            reusable = true;
            throw;
        }
        finally
        {
            // After a failure or a cancellation the connection may hold a reader or a transaction
            // part-way: it is closed rather than handed to the next read.
            if (!reusable || !KeepRead(statements))
            {
                await CloseReadAsync(statements).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kept read connections waiting for a read (a test sees the reuse here).</summary>
    internal int KeptReadConnections
    {
        get
        {
            lock (_readsLock)
            {
                return _keptReads.Count;
            }
        }
    }

    private PreparedStatements? TakeKeptRead()
    {
        lock (_readsLock)
        {
            return _keptReads.TryPop(out var statements) ? statements : null;
        }
    }

    private bool KeepRead(PreparedStatements statements)
    {
        lock (_readsLock)
        {
            if (_closed || _keptReads.Count >= MaxKeptReadConnections)
            {
                return false;
            }
            _keptReads.Push(statements);
            return true;
        }
    }

    /// <summary>
    /// Closes the kept read connections no read is using, each with its statements and page cache
    /// (the memory trim after a quiet period); the next read opens one afresh.
    /// </summary>
    public void ReleaseKeptReads()
    {
        PreparedStatements[] kept;
        lock (_readsLock)
        {
            kept = [.. _keptReads];
            _keptReads.Clear();
        }
        foreach (var statements in kept)
        {
            statements.Dispose();
            statements.Connection.Dispose();
        }
    }

    private static async ValueTask CloseReadAsync(PreparedStatements statements)
    {
        statements.Dispose();
        await statements.Connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A pooled read connection (WAL snapshot reads never wait for the writer).</summary>
    public async Task<SqliteConnection> ReadAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MailStoreException(MailStoreError.Unavailable, "The mail database cannot be read: " + ex.Message);
        }
    }

    /// <summary>Whether a committed content row refers to the blob, read fresh (not from a snapshot taken earlier).</summary>
    public bool IsReferencedNow(string blobId)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM contents WHERE blob_id = $b";
        command.Parameters.AddWithValue("$b", blobId);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        PreparedStatements[] kept;
        lock (_readsLock)
        {
            // A read still running closes its own connection when it ends (KeepRead refuses it now).
            _closed = true;
            kept = [.. _keptReads];
            _keptReads.Clear();
        }
        foreach (var statements in kept)
        {
            await CloseReadAsync(statements).ConfigureAwait(false);
        }
        // The pooled read connections of a closed account (each with its page cache) would stay in
        // Microsoft.Data.Sqlite's pool for the life of the process otherwise.
        using var pooled = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
