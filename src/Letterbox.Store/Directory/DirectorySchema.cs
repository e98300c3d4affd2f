using Microsoft.Data.Sqlite;

namespace Letterbox.Store;

/// <summary>
/// The tables of <c>directory.db</c> and their version. A new version adds a step to
/// <see cref="Migrations"/>; existing steps never change once released.
/// </summary>
internal static class DirectorySchema
{
    /// <summary>The version this build writes; a newer file is refused rather than misread.</summary>
    public const int CurrentVersion = 1;

    // Index i upgrades version i to i + 1.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE domains (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,          -- lower-case A-label
            created_ms INTEGER NOT NULL
        );
        -- AUTOINCREMENT: a removed user's id is never handed to a new user.
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            domain_id     INTEGER NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
            address       TEXT NOT NULL UNIQUE,       -- canonical login: local@a-label
            account_id    TEXT NOT NULL UNIQUE,       -- folder name in the data directory
            password_hash TEXT NOT NULL,              -- PHC string
            disabled      INTEGER NOT NULL DEFAULT 0,
            created_ms    INTEGER NOT NULL
        );
        CREATE INDEX users_by_domain ON users(domain_id);
        CREATE TABLE aliases (
            id             INTEGER PRIMARY KEY,
            domain_id      INTEGER NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
            alias          TEXT NOT NULL UNIQUE,      -- canonical address, or "@a-label" for a catch-all
            target_user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE
        );
        CREATE INDEX aliases_by_domain ON aliases(domain_id);
        CREATE INDEX aliases_by_target ON aliases(target_user_id);
        """,
    ];

    /// <summary>Creates or upgrades the schema inside one immediate transaction.</summary>
    public static async Task EnsureAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
            await create.ExecuteNonQueryAsync(ct);
        }

        long? version;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT max(version) FROM schema_version";
            var value = await read.ExecuteScalarAsync(ct);
            version = value is long v ? v : null;
        }

        var from = (int)(version ?? 0);
        if (from > CurrentVersion)
        {
            throw new DirectoryException(
                $"{connection.DataSource} has directory schema version {from}, newer than this Letterbox understands ({CurrentVersion}): upgrade Letterbox");
        }

        for (var step = from; step < CurrentVersion; step++)
        {
            using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = Migrations[step];
            await migrate.ExecuteNonQueryAsync(ct);
        }

        if (from < CurrentVersion)
        {
            using var write = connection.CreateCommand();
            write.Transaction = transaction;
            write.CommandText = "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($v)";
            write.Parameters.AddWithValue("$v", CurrentVersion);
            await write.ExecuteNonQueryAsync(ct);
        }

        transaction.Commit();
    }
}
