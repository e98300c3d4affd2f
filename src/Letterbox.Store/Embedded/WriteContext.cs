using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// What one write operation sees inside the account's group-commit transaction: the connection,
/// a MODSEQ allocated on first use (one per operation, DESIGN rule 4), and the effects to apply
/// after the commit (notifications, blob files that may have lost their last reference).
/// Its commands come from the writer connection's <see cref="PreparedStatements"/>: each SQL text
/// is compiled once for the life of the connection, not once per operation.
/// </summary>
internal sealed class WriteContext(SqliteConnection connection) : IDisposable
{
    private readonly PreparedStatements _statements = new(connection);
    private ulong _modSeq;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The writer connection's kept statements (a test sees the reuse here).</summary>
    internal PreparedStatements Statements => _statements;

    public SqliteTransaction? Transaction { get; set; }

    public DateTimeOffset Now { get; private set; }

    public List<long> ChangedMailboxes { get; } = [];

    public List<string> ReleasedBlobs { get; } = [];

    public void BeginOperation()
    {
        _modSeq = 0;
        Now = DateTimeOffset.UtcNow;
        ChangedMailboxes.Clear();
        ReleasedBlobs.Clear();
    }

    /// <summary>This operation's MODSEQ: the account counter bumped once, on first use.</summary>
    public ulong ModSeq
    {
        get
        {
            if (_modSeq == 0)
            {
                _modSeq = (ulong)Scalar("UPDATE counters SET value = value + 1 WHERE name = 'modseq' RETURNING value");
            }
            return _modSeq;
        }
    }

    /// <summary>This operation's MODSEQ if it took one so far, else 0 (never allocates one).</summary>
    public ulong ModSeqTaken => _modSeq;

    /// <summary>The mailbox's HIGHESTMODSEQ as this transaction sees it (0 when there is no such mailbox).</summary>
    public ulong MailboxModSeq(long mailboxId) =>
        (ulong)Scalar("SELECT highest_modseq FROM mailboxes WHERE id = $m", ("$m", mailboxId));

    /// <summary>
    /// A command for <paramref name="sql"/> in the current transaction, with no parameters. Dispose it
    /// (<c>using</c>) when done, after its reader: that returns it to the connection's statements.
    /// </summary>
    public SqliteCommand Command(string sql) => _statements.Command(sql, Transaction);

    public long Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command.ExecuteNonQuery();
    }

    /// <summary>Drops the content row of a blob no message refers to any more; the file goes after commit.</summary>
    public void ReleaseBlob(string blobId)
    {
        var removed = Execute(
            "DELETE FROM contents WHERE blob_id = $b AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = $b)",
            ("$b", blobId));
        if (removed > 0)
        {
            ReleasedBlobs.Add(blobId);
        }
    }

    /// <summary>Finalizes the kept statements; the writer calls it before its connection closes.</summary>
    public void Dispose() => _statements.Dispose();
}
