using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// The prepared statements of one open SQLite connection, kept for the connection's life and
/// keyed by SQL text. Microsoft.Data.Sqlite keeps a command's compiled statements while the
/// command object lives and its text is unchanged; a command created per use compiles its SQL
/// every time, which was most of SQLite's share of the CPU with sessions kept open (issue 6).
/// </summary>
/// <remarks>
/// Not thread-safe: a connection has one user at a time (the account's writer loop, or the read
/// that rented a pooled read connection). A command handed out is "leased" until its caller
/// disposes it; disposing returns it (parameters cleared) instead of finalizing its statements.
/// A second lease of the same SQL while the first is still out (a nested use) gets an ordinary
/// command, so two users never share parameters or a reader.
/// </remarks>
internal sealed class PreparedStatements(SqliteConnection connection) : IDisposable
{
    /// <summary>Most statements kept per connection; further SQL texts run on ordinary commands.</summary>
    public const int MaxStatements = 48;

    private readonly Dictionary<string, KeptCommand> _commands = new(StringComparer.Ordinal);
    private bool _disposed;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>Statements compiled so far on this connection (a test sees the reuse here).</summary>
    public int Compiled { get; private set; }

    /// <summary>
    /// A command for <paramref name="sql"/> with no parameters, enlisted in <paramref name="transaction"/>.
    /// The caller disposes it (with <c>using</c>) when done, and disposes any reader of it first.
    /// </summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_commands.TryGetValue(sql, out var kept))
        {
            if (!kept.Leased)
            {
                kept.Lease(transaction);
                return kept;
            }
        }
        else if (_commands.Count < MaxStatements)
        {
            kept = new KeptCommand(sql, Connection);
            _commands.Add(sql, kept);
            Compiled++;
            kept.Lease(transaction);
            return kept;
        }
        var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Finalizes every kept statement; call before the connection closes.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var command in _commands.Values)
        {
            command.Retire();
        }
        _commands.Clear();
    }

    /// <summary>A command whose <c>Dispose</c> hands it back to its connection's cache.</summary>
    private sealed class KeptCommand : SqliteCommand
    {
        private bool _retired;

        public KeptCommand(string sql, SqliteConnection connection)
            : base(sql, connection)
        {
        }

        public bool Leased { get; private set; }

        public void Lease(SqliteTransaction? transaction)
        {
            Leased = true;
            Transaction = transaction;
        }

        public void Retire()
        {
            _retired = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_retired)
            {
                // Back to the cache: the compiled statements stay; the next user brings its own
                // parameters and transaction. (Its readers were disposed first: `using` order.)
                Parameters.Clear();
                Transaction = null;
                Leased = false;
                return;
            }
            base.Dispose(disposing);
        }
    }
}
