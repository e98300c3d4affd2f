using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The shared state of one open account (DESIGN rule 8: one SQLite database per account):
/// paths, the single writer, the blob files. Every session of the account shares it.
/// Reads use pooled connections of their own (WAL lets them run beside the writer).
/// </summary>
internal sealed class AccountDatabase : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly AccountWriter _writer;

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
        QueryAsync((connection, ct) => MessageReads.ChangesSinceAsync(connection, mailboxId, modSeq, ct), CancellationToken.None);

    /// <summary>Runs a read on a pooled connection; a database error becomes <see cref="MailStoreError.Unavailable"/>.</summary>
    public async Task<T> QueryAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await ReadAsync(ct).ConfigureAwait(false);
        try
        {
            return await read(connection, ct).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw new MailStoreException(MailStoreError.Unavailable, "The mail database cannot be read: " + ex.Message);
        }
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
