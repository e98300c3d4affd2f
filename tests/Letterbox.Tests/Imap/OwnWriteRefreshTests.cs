using System.Text;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Imap;

/// <summary>
/// A session's own STORE / APPEND / EXPUNGE is applied to its view without reading the change back
/// when nothing else changed the mailbox (issue 6, kept-open sessions), while another session's
/// change is still reported (RFC 9051 §5.2, RFC 7162 CONDSTORE/QRESYNC) — before, after or between
/// the session's own writes. Real sockets on port 0; the store's read counter shows the reads.
/// </summary>
public sealed class OwnWriteRefreshTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<RawImapClient> LoggedInAsync() => _server.LoggedInRawAsync();

    private static async Task<List<string>> AppendAsync(RawImapClient c, string tag, string subject, string flags = "")
    {
        var message = $"Subject: {subject}\r\n\r\n{subject}\r\n";
        await c.SendAsync($"{tag} APPEND INBOX {flags}{{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}\r\n");
        var lines = await c.ReadUntilTaggedAsync(tag);
        Assert.StartsWith(tag + " OK", lines[^1], StringComparison.Ordinal);
        return lines;
    }

    /// <summary>The account's shared database, through a handle of its own (the sessions share it).</summary>
    private async Task<(IMailAccount Handle, AccountDatabase Database)> DatabaseAsync()
    {
        var user = (await _server.Directory.FindUserAsync(ImapTestServer.User))!;
        var handle = await _server.Store.OpenAccountAsync(user);
        return (handle, ((EmbeddedMailAccount)handle).Database);
    }

    private static void AssertOk(List<string> lines, string tag) => Assert.StartsWith(tag + " OK", lines[^1], StringComparison.Ordinal);

    [Fact]
    public async Task Own_store_append_and_expunge_are_not_read_back_and_answer_as_before()
    {
        using var c = await LoggedInAsync();
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync(c, "a" + i, "message " + i);
        }
        AssertOk(await c.CommandAsync("e1", "ENABLE CONDSTORE"), "e1");
        AssertOk(await c.CommandAsync("s1", "SELECT INBOX"), "s1");
        AssertOk(await c.CommandAsync("n1", "NOOP"), "n1");
        var (handle, database) = await DatabaseAsync();
        await using var _ = handle;
        var reads = database.ChangeReads.Reads;

        var store = await c.CommandAsync("t1", "STORE 1 +FLAGS (\\Flagged)");
        Assert.Matches(@"^\* 1 FETCH \(FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$", store[0]);
        AssertOk(store, "t1");

        // APPEND to the selected mailbox: EXISTS from the result, not from a read.
        var append = await AppendAsync(c, "a4", "message 4", "(\\Seen) ");
        Assert.Equal(["* 4 EXISTS"], append[..^1]);
        Assert.Contains("[APPENDUID ", append[^1], StringComparison.Ordinal);
        var fetch = await c.CommandAsync("f1", "FETCH 4 (UID FLAGS)");
        Assert.Matches(@"^\* 4 FETCH \(UID 4 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$", fetch[0]);

        AssertOk(await c.CommandAsync("t2", "STORE 2 +FLAGS.SILENT (\\Deleted)"), "t2");
        var expunge = await c.CommandAsync("x1", "EXPUNGE");
        Assert.Equal(["* 2 EXPUNGE"], expunge[..^1]);
        var noop = await c.CommandAsync("n2", "NOOP");
        Assert.StartsWith("n2 OK", Assert.Single(noop), StringComparison.Ordinal);

        // None of the above read the mailbox's changes back.
        Assert.Equal(reads, database.ChangeReads.Reads);

        // What the view says is what the store has.
        var mailbox = (await handle.GetMailboxAsync("INBOX"))!;
        var state = await handle.LoadMailboxAsync(mailbox.Id);
        Assert.Equal([1u, 3u, 4u], state.Messages.Select(m => m.Uid));
        Assert.Equal(5u, state.UidNext);
        var flags = await c.CommandAsync("f2", "FETCH 1:* (UID FLAGS)");
        Assert.Equal(3, flags.Count(l => l.StartsWith("* ", StringComparison.Ordinal)));
        Assert.Contains(flags, l => l.Contains("UID 1 FLAGS (\\Flagged)", StringComparison.Ordinal));
        Assert.Contains(flags, l => l.Contains("UID 4 FLAGS (\\Seen)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_sessions_change_after_an_own_write_is_still_reported()
    {
        using var c = await LoggedInAsync();
        using var other = await LoggedInAsync();
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync(c, "a" + i, "message " + i);
        }
        AssertOk(await c.CommandAsync("e1", "ENABLE QRESYNC"), "e1");
        AssertOk(await c.CommandAsync("s1", "SELECT INBOX"), "s1");
        AssertOk(await other.CommandAsync("o1", "SELECT INBOX"), "o1");

        // Own write first, then the other session's; c waits in IDLE for the push (no sleeps).
        AssertOk(await c.CommandAsync("t1", "STORE 1 +FLAGS (\\Seen)"), "t1");
        await c.SendLineAsync("i1 IDLE");
        Assert.StartsWith("+ ", await c.ReadLineAsync(), StringComparison.Ordinal);
        AssertOk(await other.CommandAsync("o2", "STORE 2 +FLAGS (\\Flagged)"), "o2");
        var pushed = await c.ReadLineAsync();
        Assert.Matches(@"^\* 2 FETCH \(FLAGS \(\\Flagged\) UID 2 MODSEQ \(\d+\)\)$", pushed);
        await c.SendLineAsync("DONE");
        AssertOk(await c.ReadUntilTaggedAsync("i1"), "i1");

        // Another own write, then the other session appends and expunges: all of it reaches c.
        AssertOk(await c.CommandAsync("t2", "STORE 3 +FLAGS (\\Answered)"), "t2");
        await c.SendLineAsync("i2 IDLE");
        Assert.StartsWith("+ ", await c.ReadLineAsync(), StringComparison.Ordinal);
        await AppendAsync(other, "o3", "from the other session");
        Assert.Equal("* 4 EXISTS", await c.ReadLineAsync());
        AssertOk(await other.CommandAsync("o4", "STORE 1 +FLAGS.SILENT (\\Deleted)"), "o4");
        Assert.Matches(@"^\* 1 FETCH \(FLAGS \((\\Seen \\Deleted|\\Deleted \\Seen)\) UID 1 MODSEQ \(\d+\)\)$", await c.ReadLineAsync());
        AssertOk(await other.CommandAsync("o5", "EXPUNGE"), "o5");
        Assert.Equal("* VANISHED 1", await c.ReadLineAsync());
        await c.SendLineAsync("DONE");
        AssertOk(await c.ReadUntilTaggedAsync("i2"), "i2");
    }

    [Fact]
    public async Task Another_sessions_change_before_an_own_write_comes_with_the_own_write()
    {
        using var c = await LoggedInAsync();
        using var other = await LoggedInAsync();
        for (var i = 1; i <= 3; i++)
        {
            await AppendAsync(c, "a" + i, "message " + i);
        }
        AssertOk(await c.CommandAsync("s1", "SELECT INBOX"), "s1");
        AssertOk(await other.CommandAsync("o1", "SELECT INBOX"), "o1");

        // The other session's STORE and APPEND commit before c's own writes: c's view is behind,
        // so its own write cannot stand for "nothing else changed"; its refresh reads and reports.
        AssertOk(await other.CommandAsync("o2", "STORE 2 +FLAGS (\\Flagged)"), "o2");
        await AppendAsync(other, "o3", "from the other session");
        var own = await c.CommandAsync("t1", "STORE 1 +FLAGS (\\Seen)");
        Assert.Equal("* 1 FETCH (FLAGS (\\Seen))", own[0]);
        Assert.Contains("* 2 FETCH (FLAGS (\\Flagged))", own);
        Assert.Contains("* 4 EXISTS", own);
        AssertOk(own, "t1");

        // Own APPEND after another session's: EXISTS counts both.
        await AppendAsync(other, "o4", "another one");
        var append = await AppendAsync(c, "a5", "mine");
        Assert.Equal(["* 6 EXISTS"], append[..^1]);
        var uids = await c.CommandAsync("f1", "UID FETCH 1:* (FLAGS)");
        Assert.Equal(6, uids.Count(l => l.StartsWith("* ", StringComparison.Ordinal)));
    }
}
