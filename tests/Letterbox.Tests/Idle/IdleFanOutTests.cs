using System.Text;
using Letterbox.Hosting;
using Letterbox.Store.Embedded;
using Letterbox.Tests.Store;
using Letterbox.Tests.Imap;
using Microsoft.Data.Sqlite;

namespace Letterbox.Tests.Idle;

/// <summary>
/// Issue 6 (IDLE at scale): many sessions idling on one mailbox all hear one delivery, and a
/// connection that waits for its client with no read buffer (zero-byte reads) still reads what
/// the client sends afterwards, in pieces.
/// </summary>
public sealed class IdleFanOutTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawImapClient> IdlingAsync(string tag)
    {
        var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        var ok = await c.CommandAsync("L1", $"LOGIN {ImapTestServer.User} \"{ImapTestServer.Password}\"");
        Assert.StartsWith("L1 OK", ok[^1], StringComparison.Ordinal);
        await c.CommandAsync("S1", "SELECT INBOX");
        await c.SendLineAsync(tag + " IDLE");
        Assert.Equal("+ idling", await c.ReadLineAsync());
        return c;
    }

    [Fact]
    public async Task Every_idle_session_of_a_mailbox_gets_exists_flags_and_expunge()
    {
        const int sessions = 25;
        var idlers = new List<RawImapClient>();
        try
        {
            for (var i = 0; i < sessions; i++)
            {
                idlers.Add(await IdlingAsync("i" + i));
            }
            using var writer = await _server.ConnectRawAsync();
            await writer.ReadLineAsync();
            await writer.CommandAsync("w1", $"LOGIN {ImapTestServer.User} \"{ImapTestServer.Password}\"");
            var message = "Subject: fan-out\r\n\r\nbody\r\n";
            await writer.SendAsync($"w2 APPEND INBOX {{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}\r\n");
            Assert.StartsWith("w2 OK", (await writer.ReadUntilTaggedAsync("w2"))[^1], StringComparison.Ordinal);
            foreach (var idler in idlers)
            {
                Assert.Equal("* 1 EXISTS", await idler.ReadLineAsync());
            }
            await writer.CommandAsync("w3", "SELECT INBOX");
            await writer.CommandAsync("w4", "STORE 1 +FLAGS.SILENT (\\Flagged)");
            foreach (var idler in idlers)
            {
                Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))", await idler.ReadLineAsync());
            }
            await writer.CommandAsync("w5", "STORE 1 +FLAGS.SILENT (\\Deleted)");
            foreach (var idler in idlers)
            {
                Assert.Equal("* 1 FETCH (FLAGS (\\Flagged \\Deleted))", await idler.ReadLineAsync());
            }
            await writer.CommandAsync("w6", "EXPUNGE");
            foreach (var idler in idlers)
            {
                Assert.Equal("* 1 EXPUNGE", await idler.ReadLineAsync());
            }
            for (var i = 0; i < sessions; i++)
            {
                await idlers[i].SendLineAsync("DONE");
                Assert.Equal($"i{i} OK IDLE terminated", await idlers[i].ReadLineAsync());
            }
        }
        finally
        {
            foreach (var idler in idlers)
            {
                idler.Dispose();
            }
        }
    }

    [Fact]
    public async Task Over_tls_each_change_wakes_an_idle_session_and_the_connection_stays_usable()
    {
        // A change notification wakes IDLE by cancelling its pending read of the TLS stream; the
        // stream must carry on afterwards, through several wake-ups, DONE and later commands.
        await using var server = await ImapTestServer.StartAsync(startTls: true);
        using var idler = await server.ConnectRawAsync();
        await idler.ReadLineAsync();
        await idler.SendLineAsync("t1 STARTTLS");
        Assert.Equal("t1 OK Begin TLS negotiation now", await idler.ReadLineAsync());
        await idler.UpgradeToTlsAsync();
        Assert.StartsWith("L1 OK", (await idler.CommandAsync("L1", $"LOGIN {ImapTestServer.User} \"{ImapTestServer.Password}\""))[^1], StringComparison.Ordinal);
        await idler.CommandAsync("S1", "SELECT INBOX");
        using var writer = await server.LoggedInRawAsync();
        for (var round = 1; round <= 2; round++)
        {
            await idler.SendLineAsync($"i{round} IDLE");
            Assert.Equal("+ idling", await idler.ReadLineAsync());
            for (var n = 1; n <= 3; n++)
            {
                var message = $"Subject: wake {round}.{n}\r\n\r\nbody\r\n";
                await writer.SendAsync($"w{round}{n} APPEND INBOX {{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}\r\n");
                Assert.StartsWith($"w{round}{n} OK", (await writer.ReadUntilTaggedAsync($"w{round}{n}"))[^1], StringComparison.Ordinal);
                Assert.Equal($"* {(round - 1) * 3 + n} EXISTS", await idler.ReadLineAsync());
            }
            await idler.SendLineAsync("DONE");
            Assert.Equal($"i{round} OK IDLE terminated", await idler.ReadLineAsync());
            var fetch = await idler.CommandAsync($"f{round}", $"FETCH {round * 3} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            Assert.Contains($"Subject: wake {round}.3", string.Join("\n", fetch), StringComparison.Ordinal);
            Assert.Equal($"f{round} OK FETCH completed", fetch[^1]);
        }
    }

    [Fact]
    public async Task A_waiting_connection_reads_a_command_sent_later_in_pieces()
    {
        using var idler = await IdlingAsync("i1");
        // The server is parked in a zero-byte read; the command arrives one octet at a time.
        foreach (var b in Encoding.ASCII.GetBytes("DONE\r\n"))
        {
            await idler.SendBytesAsync([b]);
        }
        Assert.Equal("i1 OK IDLE terminated", await idler.ReadLineAsync());
        var noop = await idler.CommandAsync("n1", "NOOP");
        Assert.Equal("n1 OK NOOP completed", noop[^1]);
    }

    [Fact]
    public async Task The_sqlite_soft_heap_limit_is_set_process_wide_and_trim_runs()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA soft_heap_limit";
        var before = Convert.ToInt64(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            ProcessMemory.LimitSqliteCaches(48L * 1024 * 1024);
            Assert.Equal(48L * 1024 * 1024, Convert.ToInt64(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
            var collections = GC.CollectionCount(GC.MaxGeneration);
            var released = false;
            await ProcessMemory.TrimAsync(() =>
            {
                released = true;
                return Task.CompletedTask;
            });
            Assert.True(released);
            Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
        }
        finally
        {
            ProcessMemory.LimitSqliteCaches(before);
        }
    }
    [Fact]
    public async Task Trim_closes_the_idle_pooled_sqlite_connections()
    {
        var dir = Directory.CreateTempSubdirectory("letterbox-pool-");
        var store = EmbeddedMailStore.Open(dir.FullName, new TempMailStoreDirectory());
        try
        {
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dir.FullName, "pool.db"),
                Pooling = true,
            }.ToString();
            // A TEMP table lives only as long as its connection: it marks the pooled one. Another
            // test disposing a store clears every pool too, so the marking is retried until the
            // pool hands the marked connection back.
            var marked = false;
            for (var attempt = 0; attempt < 10 && !marked; attempt++)
            {
                Execute(connectionString, "CREATE TEMP TABLE IF NOT EXISTS marker(x)");
                marked = TempTableExists(connectionString);
            }
            Assert.True(marked);

            await store.ReleaseIdleAsync();

            Assert.False(TempTableExists(connectionString));
        }
        finally
        {
            await store.DisposeAsync();
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static bool TempTableExists(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'marker'";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }
    [Theory]
    [InlineData(0, 32L * 1024 * 1024, 1, true)] // a burst, then a quiet period
    [InlineData(2L * 1024 * 1024, 64L * 1024 * 1024, 1, false)] // still busy
    [InlineData(0, 1024 * 1024, 1, false)] // quiet, but too little happened since the last trim
    [InlineData(0, 1024 * 1024, 301, true)] // quiet for long after some work (accounts closed since)
    [InlineData(0, 1024, 301, false)] // an idle server that did nothing is not trimmed again and again
    [InlineData(2L * 1024 * 1024, 1024 * 1024, 301, false)] // busy: never during load
    public void The_trimmer_trims_after_a_burst_or_a_long_quiet(long inPeriod, long sinceTrim, int secondsSinceTrim, bool trims) =>
        Assert.Equal(trims, QuietTimeTrimmer.ShouldTrim(inPeriod, sinceTrim, TimeSpan.FromSeconds(secondsSinceTrim)));
}
