using System.Collections.Concurrent;
using Letterbox.Store.Changes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The embedded mail store (DESIGN rule 8): under the data directory, one folder per account,
/// <c>accounts/&lt;AccountId&gt;/mail.db</c> (SQLite, WAL) and <c>accounts/&lt;AccountId&gt;/blobs/</c>
/// (content-addressed message files). Nothing to install.
/// </summary>
public sealed class EmbeddedMailStore : IMailStore
{
    /// <summary>Default largest message accepted, in octets (64 MiB).</summary>
    public const long DefaultMaxMessageSize = 64L * 1024 * 1024;

    /// <summary>Longest AccountId accepted as a folder name.</summary>
    public const int MaxAccountIdLength = 128;

    private readonly ConcurrentDictionary<string, Lazy<Task<AccountDatabase>>> _accounts = new(StringComparer.Ordinal);
    private readonly MailboxChangeNotifier _changes = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private int _disposed;

    private EmbeddedMailStore(string dataDirectory, IAccountDirectory directory, ILoggerFactory loggerFactory, long maxMessageSize)
    {
        DataDirectory = dataDirectory;
        Directory = directory;
        MaxMessageSize = maxMessageSize;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Letterbox.Store.Embedded");
    }

    /// <summary>The data directory holding <c>accounts/</c>.</summary>
    public string DataDirectory { get; }

    /// <summary>Largest message accepted by <see cref="IMailAccount.AppendAsync"/>; larger ones fail with <see cref="MailStoreError.TooBig"/>.</summary>
    public long MaxMessageSize { get; }

    public IAccountDirectory Directory { get; }

    public IMailboxChangeNotifier Changes => _changes;

    private string AccountsDirectory => Path.Combine(DataDirectory, "accounts");

    /// <summary>Opens (creating if needed) the store in <paramref name="dataDirectory"/>.</summary>
    public static EmbeddedMailStore Open(string dataDirectory, IAccountDirectory directory, ILoggerFactory? loggerFactory = null, long maxMessageSize = DefaultMaxMessageSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 1);
        var full = Path.GetFullPath(dataDirectory);
        System.IO.Directory.CreateDirectory(Path.Combine(full, "accounts"));
        return new EmbeddedMailStore(full, directory, loggerFactory ?? NullLoggerFactory.Instance, maxMessageSize);
    }

    /// <summary>Whether an AccountId can name a folder: 1-128 of letters, digits, '-', '_', '.', and not "." or "..".</summary>
    public static bool IsValidAccountId(string? accountId) =>
        !string.IsNullOrEmpty(accountId) && accountId.Length <= MaxAccountIdLength && accountId is not ("." or "..")
        && accountId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public async Task<IMailAccount> OpenAccountAsync(UserRecord user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var account = await AccountAsync(user.AccountId, ct).ConfigureAwait(false);
        return new EmbeddedMailAccount(user, account, MaxMessageSize);
    }

    public Task<StoreCheckReport> CheckAsync(bool repair, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var check = new StoreCheck(_logger);
        return check.RunAsync(AccountsDirectory, id => AccountAsync(id, ct), repair, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var entry in _accounts.Values)
        {
            try
            {
                var account = await entry.Value.ConfigureAwait(false);
                await account.DisposeAsync().ConfigureAwait(false);
            }
            catch (MailStoreException)
            {
                // An account that never opened has nothing to close.
            }
        }
        _accounts.Clear();
        SqliteConnection.ClearAllPools();
    }

    private async Task<AccountDatabase> AccountAsync(string accountId, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!IsValidAccountId(accountId))
        {
            throw new ArgumentException($"AccountId '{accountId}' cannot name an account folder.", nameof(accountId));
        }
        var lazy = _accounts.GetOrAdd(accountId, id => new Lazy<Task<AccountDatabase>>(
            () => AccountDatabase.OpenAsync(Path.Combine(AccountsDirectory, id), id, _changes, _loggerFactory.CreateLogger("Letterbox.Store.Account"), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed open is not cached: the next attempt tries again.
            _accounts.TryRemove(new KeyValuePair<string, Lazy<Task<AccountDatabase>>>(accountId, lazy));
            throw;
        }
    }
}
