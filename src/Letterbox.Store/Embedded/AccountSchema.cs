using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The tables of one account's <c>mail.db</c>. Envelope, structure and search text are kept per
/// blob (<c>contents</c>), so copies of a message share them as they share the blob; a message
/// row refers to its content by blob id.
/// </summary>
internal static class AccountSchema
{
    public const int Version = 1;

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS counters(
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS mailboxes(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            uid_validity INTEGER NOT NULL,
            uid_next INTEGER NOT NULL,
            highest_modseq INTEGER NOT NULL,
            special_use INTEGER NOT NULL,
            created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS subscriptions(
            name TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS contents(
            blob_id TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            envelope TEXT NOT NULL,
            structure TEXT NOT NULL,
            search_text TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS messages(
            mailbox_id INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            flags TEXT NOT NULL,
            seen INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            internal_date TEXT NOT NULL,
            save_date TEXT NOT NULL,
            size INTEGER NOT NULL,
            blob_id TEXT NOT NULL,
            email_id TEXT NOT NULL UNIQUE,
            PRIMARY KEY(mailbox_id, uid)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS messages_by_modseq ON messages(mailbox_id, modseq);
        CREATE INDEX IF NOT EXISTS messages_by_blob ON messages(blob_id);
        CREATE TABLE IF NOT EXISTS expunged(
            mailbox_id INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY(mailbox_id, uid)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS expunged_by_modseq ON expunged(mailbox_id, modseq);
        INSERT OR IGNORE INTO counters(name, value) VALUES ('modseq', 0), ('uid_validity', 0), ('initialized', 0);
        """;

    /// <summary>Sets the connection up for writing: WAL, full synchronous commits (DESIGN rule 3).</summary>
    public static void ConfigureWriter(SqliteConnection connection)
    {
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
    }

    public static void Create(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = Tables + $"PRAGMA user_version={Version};";
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
