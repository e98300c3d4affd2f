using Letterbox.Core;
using Letterbox.Core.Options;
using Microsoft.Data.Sqlite;

namespace Letterbox.Store;

/// <summary>
/// The embedded account directory: domains, users and aliases in one SQLite file
/// (<c>directory.db</c>, WAL, synchronous=FULL, foreign keys on).
/// Safe for concurrent use: each operation opens its own (pooled) connection; writes from this
/// process are serialised by a lock so they queue instead of spinning on SQLITE_BUSY, and other
/// processes (the CLI while the server runs) are covered by SQLite's own locking.
/// </summary>
public sealed class SqliteAccountDirectory : IAccountDirectory, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly bool _localPartCaseSensitive;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TimeProvider _clock;
    private DirectoryLookupCache? _lookups;

    private SqliteAccountDirectory(string databasePath, AccountOptions options, TimeProvider clock)
    {
        DatabasePath = databasePath;
        _localPartCaseSensitive = options.LocalPartCaseSensitive;
        _clock = clock;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            // Also the busy timeout: how long a writer waits for another process's transaction.
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens (creating on first use) the directory database at <paramref name="databasePath"/>.</summary>
    public static Task<SqliteAccountDirectory> OpenAsync(string databasePath, AccountOptions options, CancellationToken ct = default)
        => OpenAsync(databasePath, options, TimeProvider.System, ct);

    /// <summary>As <see cref="OpenAsync(string, AccountOptions, CancellationToken)"/>, with the clock that stamps creation times.</summary>
    public static async Task<SqliteAccountDirectory> OpenAsync(string databasePath, AccountOptions options, TimeProvider clock, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);

        var directory = new SqliteAccountDirectory(Path.GetFullPath(databasePath), options, clock);
        await using var connection = await directory.OpenConnectionAsync(ct);
        // WAL is a property of the file and persists; readers then never wait for the writer.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", ct);
        await DirectorySchema.EnsureAsync(connection, ct);
        directory._lookups = await DirectoryLookupCache.OpenAsync(directory._connectionString, ct);
        return directory;
    }

    public ValueTask DisposeAsync()
    {
        _lookups?.Dispose();
        // Pooled connections keep the file open; release them so the data directory can be moved or deleted.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- Domains ----

    public async Task<DomainRecord> AddDomainAsync(string domain, CancellationToken ct = default)
    {
        var name = ParseDomain(domain);
        var created = _clock.GetUtcNow();
        return await WriteAsync(async (connection, transaction) =>
        {
            if (await FindDomainIdAsync(connection, transaction, name, ct) is not null)
            {
                throw new DirectoryException($"domain {ShowDomain(name)} is already hosted here");
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO domains (name, created_ms) VALUES ($name, $created)", ct,
                ("$name", name), ("$created", created.ToUnixTimeMilliseconds()));
            return new DomainRecord(name, DateTimeOffset.FromUnixTimeMilliseconds(created.ToUnixTimeMilliseconds()));
        }, ct);
    }

    public async Task RemoveDomainAsync(string domain, CancellationToken ct = default)
    {
        var name = ParseDomain(domain);
        await WriteAsync(async (connection, transaction) =>
        {
            var id = await RequireDomainAsync(connection, transaction, name, ct);
            var users = await ScalarAsync<long>(connection, transaction, "SELECT count(*) FROM users WHERE domain_id = $id", ct, ("$id", id));
            var aliases = await ScalarAsync<long>(connection, transaction, "SELECT count(*) FROM aliases WHERE domain_id = $id", ct, ("$id", id));
            if (users > 0 || aliases > 0)
            {
                throw new DirectoryException(
                    $"domain {ShowDomain(name)} still has {Count(users, "user")} and {Count(aliases, "alias")}: remove them first");
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM domains WHERE id = $id", ct, ("$id", id));
            return true;
        }, ct);
    }

    public async Task<IReadOnlyList<DomainRecord>> ListDomainsAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        using var command = CreateCommand(connection, null, "SELECT name, created_ms FROM domains ORDER BY name");
        using var reader = await command.ExecuteReaderAsync(ct);
        var domains = new List<DomainRecord>();
        while (await reader.ReadAsync(ct))
        {
            domains.Add(new DomainRecord(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        }

        return domains;
    }

    public async Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default)
    {
        if (!HostName.TryParse(domain, requireFullyQualified: true, out var host, out _))
        {
            return false;
        }

        // Asked at every RCPT: answered from the look-up cache while the directory is unchanged.
        var version = _lookups!.Version();
        if (_lookups.TryGetDomain(host.Value, version, out var hosted))
        {
            return hosted;
        }

        await using var connection = await OpenConnectionAsync(ct);
        hosted = await FindDomainIdAsync(connection, null, host.Value, ct) is not null;
        _lookups.SetDomain(host.Value, version, hosted);
        return hosted;
    }

    // ---- Users ----

    public async Task<UserRecord> AddUserAsync(EmailAddress address, string passwordHash, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var canonical = Canonicalize(address);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        return await WriteAsync(async (connection, transaction) =>
        {
            var domainId = await RequireDomainAsync(connection, transaction, canonical.Domain, ct);
            var key = canonical.ToString();
            if (await FindUserAsync(connection, transaction, key, ct) is not null)
            {
                throw new DirectoryException($"user {ShowAddress(key)} already exists");
            }

            if (await FindAliasTargetAsync(connection, transaction, key, ct) is { } target)
            {
                throw new DirectoryException($"{ShowAddress(key)} is already an alias of {ShowAddress(target.Address)}: remove the alias first");
            }

            // A fresh random id per user, so a removed user's mail folder never becomes a new user's.
            var accountId = Guid.NewGuid().ToString("N");
            var id = await ScalarAsync<long>(connection, transaction,
                """
                INSERT INTO users (domain_id, address, account_id, password_hash, disabled, created_ms)
                VALUES ($domain, $address, $account, $hash, 0, $created) RETURNING id
                """, ct,
                ("$domain", domainId), ("$address", key), ("$account", accountId), ("$hash", passwordHash),
                ("$created", created.ToUnixTimeMilliseconds()));
            return new UserRecord(id, key, accountId, passwordHash, false, created);
        }, ct);
    }

    public async Task SetPasswordHashAsync(EmailAddress address, string passwordHash, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var key = Canonicalize(address).ToString();
        await UpdateUserAsync(key, "UPDATE users SET password_hash = $value WHERE address = $address", passwordHash, ct);
    }

    /// <summary>Disables or re-enables a user: a disabled user cannot log in but still receives mail.</summary>
    public async Task SetDisabledAsync(EmailAddress address, bool disabled, CancellationToken ct = default)
    {
        var key = Canonicalize(address).ToString();
        await UpdateUserAsync(key, "UPDATE users SET disabled = $value WHERE address = $address", disabled ? 1L : 0L, ct);
    }

    /// <summary>Removes a user and the aliases that point at it. The account's mail files are not touched.</summary>
    public async Task RemoveUserAsync(EmailAddress address, CancellationToken ct = default)
    {
        var key = Canonicalize(address).ToString();
        await WriteAsync(async (connection, transaction) =>
        {
            var removed = await ExecuteAsync(connection, transaction, "DELETE FROM users WHERE address = $address", ct, ("$address", key));
            return removed == 0 ? throw new DirectoryException($"no user {ShowAddress(key)}") : removed;
        }, ct);
    }

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain = null, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        SqliteCommand command;
        if (domain is null)
        {
            command = CreateCommand(connection, null, $"SELECT {UserColumns} FROM users ORDER BY address");
        }
        else
        {
            var name = ParseDomain(domain);
            var domainId = await RequireDomainAsync(connection, null, name, ct);
            command = CreateCommand(connection, null, $"SELECT {UserColumns} FROM users WHERE domain_id = $domain ORDER BY address",
                ("$domain", domainId));
        }

        using (command)
        {
            return await ReadUsersAsync(command, ct);
        }
    }

    public async Task<int> CountUsersAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        return (int)await ScalarAsync<long>(connection, null, "SELECT count(*) FROM users", ct);
    }

    public async Task<UserRecord?> FindUserAsync(string login, CancellationToken ct = default)
    {
        if (!TryCanonicalize(login, out var canonical))
        {
            return null;
        }

        await using var connection = await OpenConnectionAsync(ct);
        return await FindUserAsync(connection, null, canonical.ToString(), ct);
    }

    // ---- Aliases ----

    public async Task AddAliasAsync(EmailAddress alias, EmailAddress target, CancellationToken ct = default)
    {
        var source = Canonicalize(alias);
        await AddAliasAsync(source.Domain, source.ToString(), target, ct);
    }

    public async Task AddCatchAllAsync(string domain, EmailAddress target, CancellationToken ct = default)
    {
        var name = ParseDomain(domain);
        await AddAliasAsync(name, "@" + name, target, ct);
    }

    public async Task RemoveAliasAsync(string alias, CancellationToken ct = default)
    {
        var key = ParseAliasKey(alias);
        await WriteAsync(async (connection, transaction) =>
        {
            var removed = await ExecuteAsync(connection, transaction, "DELETE FROM aliases WHERE alias = $alias", ct, ("$alias", key));
            return removed == 0 ? throw new DirectoryException($"no alias {ShowAddress(key)}") : removed;
        }, ct);
    }

    public async Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string? domain = null, CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct);
        const string Select = "SELECT a.alias, u.address FROM aliases a JOIN users u ON u.id = a.target_user_id";
        SqliteCommand command;
        if (domain is null)
        {
            command = CreateCommand(connection, null, Select + " ORDER BY a.alias");
        }
        else
        {
            var domainId = await RequireDomainAsync(connection, null, ParseDomain(domain), ct);
            command = CreateCommand(connection, null, Select + " WHERE a.domain_id = $domain ORDER BY a.alias", ("$domain", domainId));
        }

        using (command)
        {
            using var reader = await command.ExecuteReaderAsync(ct);
            var aliases = new List<AliasRecord>();
            while (await reader.ReadAsync(ct))
            {
                aliases.Add(new AliasRecord(reader.GetString(0), reader.GetString(1)));
            }

            return aliases;
        }
    }

    /// <summary>
    /// User, then alias, then (for <c>local+detail@domain</c>, RFC 5233 subaddressing) the same two
    /// for <c>local@domain</c>, then the domain's catch-all.
    /// </summary>
    public async Task<UserRecord?> ResolveRecipientAsync(string address, CancellationToken ct = default)
    {
        if (!TryCanonicalize(address, out var canonical))
        {
            return null;
        }

        // Asked at every RCPT: answered from the look-up cache while the directory is unchanged.
        var key = canonical.ToString();
        var version = _lookups!.Version();
        if (_lookups.TryGetRecipient(key, version, out var known))
        {
            return known;
        }

        var user = await ResolveUncachedAsync(canonical, ct);
        _lookups.SetRecipient(key, version, user);
        return user;
    }

    private async Task<UserRecord?> ResolveUncachedAsync(EmailAddress canonical, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        var candidates = new List<string> { canonical.ToString() };
        var plus = canonical.LocalPart.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            candidates.Add(canonical.LocalPart[..plus] + "@" + canonical.Domain);
        }

        foreach (var candidate in candidates)
        {
            if (await FindUserAsync(connection, null, candidate, ct) is { } user)
            {
                return user;
            }

            if (await FindAliasTargetAsync(connection, null, candidate, ct) is { } target)
            {
                return target;
            }
        }

        return await FindAliasTargetAsync(connection, null, "@" + canonical.Domain, ct);
    }

    // ---- Shared pieces ----

    private const string UserColumns = "id, address, account_id, password_hash, disabled, created_ms";

    private async Task AddAliasAsync(string domain, string key, EmailAddress target, CancellationToken ct)
    {
        var targetKey = Canonicalize(target).ToString();
        await WriteAsync(async (connection, transaction) =>
        {
            var domainId = await RequireDomainAsync(connection, transaction, domain, ct);
            if (await FindAliasTargetAsync(connection, transaction, key, ct) is not null)
            {
                throw new DirectoryException($"alias {ShowAddress(key)} already exists");
            }

            if (await FindUserAsync(connection, transaction, key, ct) is not null)
            {
                throw new DirectoryException($"{ShowAddress(key)} is already a user: an alias cannot take its place");
            }

            var user = await FindUserAsync(connection, transaction, targetKey, ct)
                ?? throw new DirectoryException($"no user {ShowAddress(targetKey)}: an alias must point at an existing user");
            return await ExecuteAsync(connection, transaction,
                "INSERT INTO aliases (domain_id, alias, target_user_id) VALUES ($domain, $alias, $target)", ct,
                ("$domain", domainId), ("$alias", key), ("$target", user.Id));
        }, ct);
    }

    private async Task UpdateUserAsync(string key, string sql, object value, CancellationToken ct)
    {
        await WriteAsync(async (connection, transaction) =>
        {
            var updated = await ExecuteAsync(connection, transaction, sql, ct, ("$address", key), ("$value", value));
            return updated == 0 ? throw new DirectoryException($"no user {ShowAddress(key)}") : updated;
        }, ct);
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var connection = await OpenConnectionAsync(ct);
            // BEGIN IMMEDIATE: take the write lock up front so the checks and the write see the same state.
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
        {
            // Only reachable when another process wrote the same row between our check and insert.
            throw new DirectoryException($"the directory changed while this was being done: try again ({e.Message})");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            // Per connection: a committed user or password change must survive power loss.
            await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL", ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private EmailAddress Canonicalize(EmailAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Re-validated: an EmailAddress can be constructed without going through the parser.
        return TryCanonicalize(address.ToString(), out var canonical, out var error)
            ? canonical
            : throw new DirectoryException(error!);
    }

    private bool TryCanonicalize(string? text, out EmailAddress canonical) => TryCanonicalize(text, out canonical, out _);

    private bool TryCanonicalize(string? text, out EmailAddress canonical, out string? error)
    {
        canonical = null!;
        if (!EmailAddress.TryParse(text, out var parsed, out error))
        {
            return false;
        }

        canonical = _localPartCaseSensitive ? parsed! : parsed! with { LocalPart = parsed!.LocalPart.ToLowerInvariant() };
        return true;
    }

    private string ParseAliasKey(string alias)
    {
        var text = alias?.Trim() ?? "";
        if (text.StartsWith('@'))
        {
            return "@" + ParseDomain(text[1..]);
        }

        return Canonicalize(EmailAddress.TryParse(text, out var parsed, out var error) ? parsed! : throw new DirectoryException(error!)).ToString();
    }

    private static string ParseDomain(string domain)
        => HostName.TryParse(domain, requireFullyQualified: true, out var host, out var error)
            ? host.Value
            : throw new DirectoryException(error!);

    private static async Task<long> RequireDomainAsync(SqliteConnection connection, SqliteTransaction? transaction, string name, CancellationToken ct)
        => await FindDomainIdAsync(connection, transaction, name, ct)
            ?? throw new DirectoryException(
                $"domain {ShowDomain(name)} is not hosted here: add it first with ./letterbox domain add {ShowDomain(name)}");

    private static async Task<long?> FindDomainIdAsync(SqliteConnection connection, SqliteTransaction? transaction, string name, CancellationToken ct)
    {
        using var command = CreateCommand(connection, transaction, "SELECT id FROM domains WHERE name = $name", ("$name", name));
        return await command.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    private static async Task<UserRecord?> FindUserAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken ct)
    {
        using var command = CreateCommand(connection, transaction, $"SELECT {UserColumns} FROM users WHERE address = $address", ("$address", key));
        var users = await ReadUsersAsync(command, ct);
        return users.Count == 0 ? null : users[0];
    }

    private static async Task<UserRecord?> FindAliasTargetAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken ct)
    {
        using var command = CreateCommand(connection, transaction,
            $"SELECT {string.Join(", ", UserColumns.Split(", ").Select(c => "u." + c))} FROM aliases a JOIN users u ON u.id = a.target_user_id WHERE a.alias = $alias",
            ("$alias", key));
        var users = await ReadUsersAsync(command, ct);
        return users.Count == 0 ? null : users[0];
    }

    private static async Task<List<UserRecord>> ReadUsersAsync(SqliteCommand command, CancellationToken ct)
    {
        using var reader = await command.ExecuteReaderAsync(ct);
        var users = new List<UserRecord>();
        while (await reader.ReadAsync(ct))
        {
            users.Add(new UserRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4) != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return users;
    }

    private static SqliteCommand CreateCommand(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        using var command = CreateCommand(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        using var command = CreateCommand(connection, transaction, sql, parameters);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static string ShowDomain(string aLabel) => new HostName(aLabel).Display;

    // "local@domain" or "@domain", with the domain as people write it.
    private static string ShowAddress(string key)
    {
        var at = key.LastIndexOf('@');
        return at < 0 ? key : key[..(at + 1)] + ShowDomain(key[(at + 1)..]);
    }

    private static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}{(noun.EndsWith('s') ? "es" : "s")}";
}
