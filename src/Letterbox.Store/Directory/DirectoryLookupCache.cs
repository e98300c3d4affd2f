using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Letterbox.Store;

/// <summary>
/// Remembered answers to the directory questions every delivery asks at RCPT time (is the domain
/// hosted? who receives this address?), valid exactly as long as <c>directory.db</c> is unchanged.
/// </summary>
/// <remarks>
/// Invalidation: SQLite's <c>PRAGMA data_version</c> on one dedicated connection that never writes
/// changes whenever any other connection commits to the file — this process's own writes (they use
/// pooled connections) and other processes' (<c>letterbox user add</c> while the server runs) alike.
/// Each answer is stored with the version read <em>before</em> the query that produced it and used
/// only while the version is still the same, so a user added, removed, disabled or aliased is seen by
/// the next look-up, never an answer from before the change. The version check is one prepared
/// statement on an open connection instead of a pooled open, a PRAGMA and a query prepared afresh.
/// </remarks>
internal sealed class DirectoryLookupCache : IDisposable
{
    /// <summary>Most answers kept; past it the cache starts over (addresses that do not exist are remembered too).</summary>
    public const int MaxEntries = 16_384;

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _dataVersion;
    private readonly ConcurrentDictionary<string, (long Version, bool Hosted)> _domains = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Version, UserRecord? User)> _recipients = new(StringComparer.Ordinal);

    private DirectoryLookupCache(SqliteConnection connection)
    {
        _connection = connection;
        _dataVersion = connection.CreateCommand();
        _dataVersion.CommandText = "PRAGMA data_version";
        _dataVersion.Prepare();
    }

    /// <summary>Opens the dedicated connection the version is read on.</summary>
    public static async Task<DirectoryLookupCache> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return new DirectoryLookupCache(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The database's current change counter, as seen from this cache's connection.</summary>
    public long Version()
    {
        lock (_lock)
        {
            return Convert.ToInt64(_dataVersion.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public bool TryGetDomain(string domain, long version, out bool hosted)
    {
        if (_domains.TryGetValue(domain, out var entry) && entry.Version == version)
        {
            hosted = entry.Hosted;
            return true;
        }
        hosted = false;
        return false;
    }

    public void SetDomain(string domain, long version, bool hosted)
    {
        if (_domains.Count >= MaxEntries)
        {
            _domains.Clear();
        }
        _domains[domain] = (version, hosted);
    }

    public bool TryGetRecipient(string address, long version, out UserRecord? user)
    {
        if (_recipients.TryGetValue(address, out var entry) && entry.Version == version)
        {
            user = entry.User;
            return true;
        }
        user = null;
        return false;
    }

    public void SetRecipient(string address, long version, UserRecord? user)
    {
        if (_recipients.Count >= MaxEntries)
        {
            _recipients.Clear();
        }
        _recipients[address] = (version, user);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _dataVersion.Dispose();
            _connection.Dispose();
        }
    }
}
