using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Letterbox.Tests.Imap;

/// <summary>CONDSTORE and QRESYNC (RFC 7162) over real sockets: raw transcripts and MailKit.</summary>
public sealed partial class ImapCondStoreTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<RawImapClient> LoggedInAsync() => _server.LoggedInRawAsync();

    private static async Task AppendAsync(RawImapClient c, string tag, string subject)
    {
        var message = $"Subject: {subject}\r\n\r\n{subject}\r\n";
        await c.SendAsync($"{tag} APPEND INBOX {{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}\r\n");
        Assert.StartsWith(tag + " OK", (await c.ReadUntilTaggedAsync(tag))[^1], StringComparison.Ordinal);
    }

    private static async Task<RawImapClient> WithMessagesAsync(Func<Task<RawImapClient>> connect, int count)
    {
        var c = await connect();
        for (var i = 1; i <= count; i++)
        {
            await AppendAsync(c, "a" + i, "message " + i);
        }
        return c;
    }

    private static ulong ModSeqOf(string line) => ulong.Parse(ModSeqPattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?:MODSEQ \(|HIGHESTMODSEQ |MODSEQ )(\d+)")]
    private static partial Regex ModSeqPattern();

    [Fact]
    public async Task Capability_advertises_condstore_and_qresync()
    {
        using var c = await LoggedInAsync();
        var capability = (await c.CommandAsync("c1", "CAPABILITY"))[0];
        Assert.Contains(" CONDSTORE", capability, StringComparison.Ordinal);
        Assert.Contains(" QRESYNC", capability, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_enabling_fetch_reports_highestmodseq_then_every_fetch_carries_modseq()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 2);
        using var other = await LoggedInAsync();
        await c.CommandAsync("s1", "SELECT INBOX");
        var fetch = await c.CommandAsync("f1", "FETCH 1 (MODSEQ)");
        Assert.StartsWith("* OK [HIGHESTMODSEQ ", fetch[0], StringComparison.Ordinal);
        Assert.Matches(@"^\* 1 FETCH \(MODSEQ \(\d+\)\)$", fetch[1]);

        // Now CONDSTORE-aware: FLAGS alone comes back with MODSEQ.
        var flags = await c.CommandAsync("f2", "FETCH 2 (FLAGS)");
        Assert.Matches(@"^\* 2 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$", flags[0]);

        // Another session's change arrives with MODSEQ too.
        await other.CommandAsync("o1", "SELECT INBOX");
        var stored = await other.CommandAsync("o2", "STORE 2 +FLAGS (\\Flagged)");
        var noop = await c.CommandAsync("n1", "NOOP");
        Assert.Matches(@"^\* 2 FETCH \(FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$", noop[0]);
        Assert.True(ModSeqOf(noop[0]) > ModSeqOf(flags[0]));
        Assert.DoesNotContain("MODSEQ", stored[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changedsince_returns_only_messages_changed_after_it()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 3);
        await c.CommandAsync("s1", "SELECT INBOX");
        var before = await c.CommandAsync("f1", "FETCH 1:* (MODSEQ)");
        var highest = before.Where(l => l.StartsWith("* ", StringComparison.Ordinal) && l.Contains("FETCH", StringComparison.Ordinal)).Max(ModSeqOf);
        await c.CommandAsync("t1", "STORE 2 +FLAGS.SILENT (\\Seen)");
        var changed = await c.CommandAsync("f2", $"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})");
        var fetches = changed.Where(l => l.Contains("FETCH (", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(fetches);
        Assert.Matches(@"^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$", only);
        Assert.Equal("f2 OK FETCH completed", changed[^1]);
    }

    [Fact]
    public async Task Unchangedsince_stores_when_unchanged_and_reports_modified_otherwise()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 2);
        await c.CommandAsync("s1", "SELECT INBOX");
        var states = await c.CommandAsync("f1", "FETCH 1:2 (MODSEQ)");
        var first = ModSeqOf(states[1]);
        var second = ModSeqOf(states[2]);

        // Unchanged since its MODSEQ: the STORE happens and, although .SILENT, is reported with MODSEQ (RFC 7162 §3.1.3).
        var ok = await c.CommandAsync("t1", $"STORE 1 (UNCHANGEDSINCE {first}) +FLAGS.SILENT (\\Answered)");
        Assert.Matches(@"^\* 1 FETCH \(FLAGS \(\\Answered\) MODSEQ \(\d+\)\)$", ok[0]);
        Assert.Equal("t1 OK STORE completed", ok[^1]);

        // Message 1 changed after message 2 was last changed: refused and named in MODIFIED; message 2 is stored.
        var conflict = await c.CommandAsync("t2", $"UID STORE 1:2 (UNCHANGEDSINCE {second}) +FLAGS (\\Flagged)");
        Assert.Contains(conflict, l => Regex.IsMatch(l, @"^\* 2 FETCH \(FLAGS \(\\Flagged\) UID 2 MODSEQ \(\d+\)\)$"));
        Assert.Equal("t2 OK [MODIFIED 1] Conditional STORE failed for some messages", conflict[^1]);
        var check = await c.CommandAsync("f2", "FETCH 1 (FLAGS)");
        Assert.Matches(@"^\* 1 FETCH \(FLAGS \(\\Answered\) MODSEQ \(\d+\)\)$", check[0]);
    }

    [Fact]
    public async Task Search_modseq_returns_the_highest_modseq_of_the_matches()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 3);
        await c.CommandAsync("s1", "SELECT INBOX");
        var states = await c.CommandAsync("f1", "FETCH 1:3 (MODSEQ)");
        var since = ModSeqOf(states.Single(l => l.StartsWith("* 3 FETCH", StringComparison.Ordinal)));
        var stored = await c.CommandAsync("t1", "STORE 1 +FLAGS (\\Seen)");
        var newest = ModSeqOf(stored[0]);

        var search = await c.CommandAsync("q1", $"SEARCH MODSEQ {since}");
        Assert.Equal($"* SEARCH 1 3 (MODSEQ {newest})", search[0]);
        var esearch = await c.CommandAsync("q2", $"UID SEARCH RETURN (COUNT) MODSEQ \"/flags/\\\\seen\" all {since + 1}");
        Assert.Equal($"* ESEARCH (TAG \"q2\") UID COUNT 1 MODSEQ {newest}", esearch[0]);
        var none = await c.CommandAsync("q3", $"SEARCH MODSEQ {newest + 1}");
        Assert.Equal("* SEARCH", none[0]);
    }

    [Fact]
    public async Task Status_highestmodseq_and_select_condstore_report_it()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 1);
        var status = await c.CommandAsync("st", "STATUS INBOX (HIGHESTMODSEQ MESSAGES)");
        var highest = ModSeqOf(status[0]);
        var select = await c.CommandAsync("s1", "SELECT INBOX (CONDSTORE)");
        Assert.Contains($"* OK [HIGHESTMODSEQ {highest}] Highest", select);
        Assert.Equal("s1 OK [READ-WRITE] SELECT completed", select[^1]);
    }

    [Fact]
    public async Task Qresync_select_reports_vanished_and_changed_messages()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 4);
        var enabled = await c.CommandAsync("e1", "ENABLE QRESYNC");
        Assert.Equal("* ENABLED QRESYNC", enabled[0]);
        var select = await c.CommandAsync("s1", "SELECT INBOX");
        var uidValidity = Regex.Match(string.Join('\n', select), @"UIDVALIDITY (\d+)").Groups[1].Value;
        var known = ModSeqOf(select.Single(l => l.Contains("HIGHESTMODSEQ", StringComparison.Ordinal)));
        await c.CommandAsync("u1", "UNSELECT");

        // Another session changes flags of UID 2 and expunges UID 3 while this client is away.
        using (var other = await LoggedInAsync())
        {
            await other.CommandAsync("o1", "SELECT INBOX");
            await other.CommandAsync("o2", "UID STORE 2 +FLAGS (\\Seen)");
            await other.CommandAsync("o3", "UID STORE 3 +FLAGS (\\Deleted)");
            await other.CommandAsync("o4", "EXPUNGE");
        }

        var resync = await c.CommandAsync("s2", $"SELECT INBOX (QRESYNC ({uidValidity} {known} 1:4))");
        var index = resync.FindIndex(l => l.StartsWith("* VANISHED", StringComparison.Ordinal));
        Assert.Equal("* VANISHED (EARLIER) 3", resync[index]);
        Assert.Matches(@"^\* 2 FETCH \(FLAGS \(\\Seen\) UID 2 MODSEQ \(\d+\)\)$", resync[index + 1]);
        Assert.Equal("s2 OK [READ-WRITE] SELECT completed", resync[^1]);
        Assert.Equal(index + 2, resync.Count - 1);

        // With QRESYNC on, expunges come as VANISHED and every FETCH carries UID.
        await c.CommandAsync("t1", "UID STORE 4 +FLAGS.SILENT (\\Deleted)");
        var expunge = await c.CommandAsync("x1", "EXPUNGE");
        Assert.Equal("* VANISHED 4", expunge[0]);
        var fetch = await c.CommandAsync("f1", "FETCH 1 (FLAGS)");
        Assert.Matches(@"^\* 1 FETCH \(UID 1 FLAGS \(\) MODSEQ \(\d+\)\)$", fetch[0]);

        // UID FETCH ... (CHANGEDSINCE n VANISHED): the expunged UIDs of the set, first.
        var vanished = await c.CommandAsync("f2", $"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {known} VANISHED)");
        Assert.Equal("* VANISHED (EARLIER) 3:4", vanished[0]);
        Assert.Matches(@"^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$", vanished[1]);
    }

    [Fact]
    public async Task Qresync_with_another_uidvalidity_sends_no_changes()
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 1);
        await c.CommandAsync("e1", "ENABLE QRESYNC");
        var select = await c.CommandAsync("s1", "SELECT INBOX (QRESYNC (1 1))");
        Assert.DoesNotContain(select, l => l.StartsWith("* VANISHED", StringComparison.Ordinal) || l.Contains("FETCH", StringComparison.Ordinal));
        Assert.Equal("s1 OK [READ-WRITE] SELECT completed", select[^1]);
    }

    [Theory]
    [InlineData("SELECT INBOX (QRESYNC (1 5))", "QRESYNC parameter requires ENABLE QRESYNC first", false)]
    [InlineData("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", "VANISHED requires ENABLE QRESYNC first", false)]
    [InlineData("SELECT INBOX (QRESYNC (1))", "QRESYNC", true)]
    [InlineData("SELECT INBOX (QRESYNC (1 0))", "greater than 0", true)]
    [InlineData("SELECT INBOX (QRESYNC (1 5 1:*))", "QRESYNC", true)]
    [InlineData("SELECT INBOX (QRESYNC (1 5 1:3 (1:2)))", "QRESYNC", true)]
    [InlineData("FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)", "VANISHED requires UID FETCH", true)]
    public async Task Misused_qresync_is_refused_and_the_session_goes_on(string command, string reason, bool enable)
    {
        using var c = await WithMessagesAsync(LoggedInAsync, 1);
        if (enable)
        {
            await c.CommandAsync("e1", "ENABLE QRESYNC");
        }
        await c.CommandAsync("s0", "SELECT INBOX");
        var refused = await c.CommandAsync("x1", command);
        Assert.StartsWith("x1 BAD", refused[^1], StringComparison.Ordinal);
        Assert.Contains(reason, refused[^1], StringComparison.Ordinal);
        Assert.StartsWith("n1 OK", (await c.CommandAsync("n1", "NOOP"))[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MailKit_resynchronises_with_qresync()
    {
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", _server.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.QuickResync));
        await client.EnableQuickResyncAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        for (var i = 0; i < 3; i++)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("ann@example.org"));
            message.Subject = "resync " + i;
            message.Body = new TextPart("plain") { Text = "body " + i };
            await inbox.AppendAsync(message);
        }
        await inbox.CloseAsync();
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var uidValidity = inbox.UidValidity;
        var highest = inbox.HighestModSeq;
        var uids = await inbox.SearchAsync(MailKit.Search.SearchQuery.All);
        await inbox.CloseAsync();

        using (var other = new ImapClient())
        {
            await other.ConnectAsync("127.0.0.1", _server.Port, SecureSocketOptions.None);
            await other.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password);
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await other.Inbox.AddFlagsAsync(uids[0], MessageFlags.Flagged, silent: true);
            await other.Inbox.AddFlagsAsync(uids[1], MessageFlags.Deleted, silent: true);
            await other.Inbox.ExpungeAsync();
        }

        var vanished = new List<UniqueId>();
        var changed = new List<(UniqueId? Uid, MessageFlags Flags, ulong? ModSeq)>();
        inbox.MessagesVanished += (_, e) => vanished.AddRange(e.UniqueIds);
        inbox.MessageFlagsChanged += (_, e) => changed.Add((e.UniqueId, e.Flags, e.ModSeq));
        await inbox.OpenAsync(FolderAccess.ReadWrite, uidValidity, highest, uids);

        Assert.Equal([uids[1]], vanished);
        var flagged = Assert.Single(changed);
        Assert.Equal(uids[0], flagged.Uid);
        Assert.True(flagged.Flags.HasFlag(MessageFlags.Flagged));
        Assert.True(flagged.ModSeq > highest);
        Assert.Equal(2, inbox.Count);
        Assert.True(inbox.HighestModSeq > highest);
        await client.DisconnectAsync(true);
    }
}
