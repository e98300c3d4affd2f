using Letterbox.Store;
using Letterbox.Store.Embedded;
using Microsoft.Data.Sqlite;

namespace Letterbox.Tests.Store;

/// <summary>
/// Statements kept per connection (issue 6, kept-open sessions): compiled once, reused with other
/// parameters, never shared by two users at once, and gone with their connection.
/// </summary>
public sealed class PreparedStatementsTests
{
    private static async Task<T> WithDatabaseAsync<T>(Func<SqliteConnection, T> run)
    {
        var path = Path.Combine(Path.GetTempPath(), "letterbox-statements-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');";
                create.ExecuteNonQuery();
            }
            return run(connection);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string? Lookup(PreparedStatements statements, long key)
    {
        using var command = statements.Command("SELECT v FROM t WHERE k = $k");
        command.Parameters.AddWithValue("$k", key);
        return (string?)command.ExecuteScalar();
    }

    [Fact]
    public Task A_kept_statement_is_reused_with_different_parameters() => WithDatabaseAsync(connection =>
    {
        using var statements = new PreparedStatements(connection);
        Assert.Equal("one", Lookup(statements, 1));
        Assert.Equal("three", Lookup(statements, 3));
        Assert.Null(Lookup(statements, 9));

        // A reader of the kept command, read to the end and disposed, then the command again.
        using (var command = statements.Command("SELECT v FROM t WHERE k >= $k ORDER BY k"))
        {
            command.Parameters.AddWithValue("$k", 2);
            using var reader = command.ExecuteReader();
            var values = new List<string>();
            while (reader.Read())
            {
                values.Add(reader.GetString(0));
            }
            Assert.Equal(["two", "three"], values);
        }
        using (var command = statements.Command("SELECT v FROM t WHERE k >= $k ORDER BY k"))
        {
            Assert.Empty(command.Parameters); // the previous user's parameters are gone
            command.Parameters.AddWithValue("$k", 3);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal("three", reader.GetString(0));
        }
        Assert.Equal("two", Lookup(statements, 2));
        Assert.Equal(2, statements.Compiled);
        return 0;
    });

    [Fact]
    public Task A_nested_use_of_the_same_sql_gets_its_own_command() => WithDatabaseAsync(connection =>
    {
        using var statements = new PreparedStatements(connection);
        using var outer = statements.Command("SELECT v FROM t WHERE k = $k");
        outer.Parameters.AddWithValue("$k", 1);
        using var outerReader = outer.ExecuteReader();
        Assert.True(outerReader.Read());

        // While the outer reader is open the same SQL is asked for again: a separate command.
        Assert.Equal("two", Lookup(statements, 2));
        Assert.Equal("one", outerReader.GetString(0));
        Assert.Equal(1, statements.Compiled);
        return 0;
    });

    [Fact]
    public Task Disposed_statements_refuse_further_use_and_free_their_connection() => WithDatabaseAsync(connection =>
    {
        var statements = new PreparedStatements(connection);
        Assert.Equal("one", Lookup(statements, 1));
        statements.Dispose();
        Assert.Throws<ObjectDisposedException>(() => statements.Command("SELECT 1"));

        // The connection itself is intact and can run (and compile) statements of its own.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM t";
        Assert.Equal(3L, command.ExecuteScalar());
        return 0;
    });

    [Fact]
    public async Task Reads_reuse_kept_connections_and_work_after_the_account_was_closed()
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = EmbeddedMailStore.Open(root, new TempMailStoreDirectory(), accountIdleTimeout: TimeSpan.Zero);
            var account = await store.OpenAccountAsync(TempMailStore.User("a1"));
            var database = ((EmbeddedMailAccount)account).Database;
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            for (var i = 0; i < 5; i++)
            {
                await account.AppendAsync(inbox.Id, [TempMailStore.Message($"Subject: m{i}\r\n\r\n", "\\Seen")]);
                await account.StoreFlagsAsync(inbox.Id, [(uint)i + 1], FlagOperation.Add, ["\\Flagged"]);
                Assert.Equal(i + 1, (await account.GetStatusAsync(inbox.Id)).Messages);
                Assert.Equal(i + 1, (await account.LoadMailboxAsync(inbox.Id)).Messages.Count);
            }
            // The writer compiled each SQL text once: more of the same operations compile nothing new.
            Assert.Empty(await account.ExpungeAsync(inbox.Id)); // nothing is \Deleted: nothing goes
            var compiled = await database.WriteAsync(context => context.Statements.Compiled, CancellationToken.None);
            await account.StoreFlagsAsync(inbox.Id, [1, 2], FlagOperation.Remove, ["\\Seen"]);
            await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: m5\r\n\r\n")]);
            Assert.Empty(await account.ExpungeAsync(inbox.Id));
            Assert.Equal(compiled, await database.WriteAsync(context => context.Statements.Compiled, CancellationToken.None));
            await account.StoreFlagsAsync(inbox.Id, [6], FlagOperation.Add, ["\\Deleted"]);
            Assert.Equal([6u], await account.ExpungeAsync(inbox.Id));

            // One read at a time here: one connection served them all and waits for the next.
            Assert.Equal(1, database.KeptReadConnections);

            // Reads side by side each have a connection to themselves, and all are kept afterwards (up to the limit).
            var many = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => account.LoadMailboxAsync(inbox.Id))));
            Assert.All(many, state => Assert.Equal(5, state.Messages.Count));
            Assert.InRange(database.KeptReadConnections, 1, AccountDatabase.MaxKeptReadConnections);

            // Kept statements hold no snapshot between reads: a full checkpoint is not blocked by them.
            await using (var checkpoint = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.DatabasePath, Pooling = false }.ToString()))
            {
                checkpoint.Open();
                using var command = checkpoint.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                using var result = command.ExecuteReader();
                Assert.True(result.Read());
                Assert.Equal(0L, result.GetInt64(0)); // not busy
            }

            // A refusal leaves the connection clean; the next read on it works.
            await Assert.ThrowsAsync<MailStoreException>(() => account.GetStatusAsync(inbox.Id + 1000));
            Assert.Equal(5, (await account.GetChangesSinceAsync(inbox.Id, 0)).Changed.Count);

            // The memory trim closes the kept readers of an open account; the next read opens one afresh.
            Assert.True(database.KeptReadConnections > 0);
            await store.ReleaseIdleAsync();
            Assert.Equal(0, database.KeptReadConnections);
            Assert.Equal(5, (await account.GetStatusAsync(inbox.Id)).Messages);
            Assert.Equal(1, database.KeptReadConnections);

            await account.DisposeAsync();
            await store.CloseIdleAccountsAsync();
            Assert.Equal(0, store.OpenAccountCount);

            // Reopening waits for the close, which released the old account's kept connections.
            await using var again = await store.OpenAccountAsync(TempMailStore.User("a1"));
            Assert.Equal(0, database.KeptReadConnections);
            Assert.NotSame(database, ((EmbeddedMailAccount)again).Database);
            var records = await again.GetMessagesAsync(inbox.Id, [1, 2, 3, 4, 5], MessageFields.Envelope);
            Assert.Equal(["m0", "m1", "m2", "m3", "m4"], records.Select(r => r.Envelope!.Subject));
            Assert.All(records, r => Assert.Contains("\\Flagged", r.Flags));
            Assert.Equal(5, (await again.GetStatusAsync(inbox.Id)).Messages);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
