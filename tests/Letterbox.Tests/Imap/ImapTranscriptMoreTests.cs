using System.Text;

namespace Letterbox.Tests.Imap;

/// <summary>More transcripts: IDLE push, MOVE, CLOSE/UNSELECT, MULTIAPPEND, sections, SEARCHRES, pipelining.</summary>
public sealed class ImapTranscriptMoreTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<RawImapClient> LoggedInAsync() => _server.LoggedInRawAsync();

    private static async Task AppendAsync(RawImapClient c, string tag, string message, string flags = "")
    {
        var size = Encoding.UTF8.GetByteCount(message);
        await c.SendAsync($"{tag} APPEND INBOX {flags}{{{size}+}}\r\n{message}\r\n");
        var lines = await c.ReadUntilTaggedAsync(tag);
        Assert.StartsWith(tag + " OK [APPENDUID", lines[^1], StringComparison.Ordinal);
    }

    private const string Nested =
        "From: a@example.org\r\nSubject: outer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n" +
        "--xx\r\nContent-Type: text/plain\r\n\r\nouter text\r\n" +
        "--xx\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n" +
        "--xx\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\nSubject: inner\r\n\r\ninner body\r\n" +
        "--xx--\r\n";

    [Fact]
    public async Task Idle_pushes_exists_and_expunge_from_another_session()
    {
        using var idler = await LoggedInAsync();
        using var other = await LoggedInAsync();
        await AppendAsync(other, "o1", "Subject: one\r\n\r\n1\r\n");
        await idler.CommandAsync("s1", "SELECT INBOX");
        await Transcript.RunAsync(idler, """
            C: i1 IDLE
            S: + idling
            """);
        await AppendAsync(other, "o2", "Subject: two\r\n\r\n2\r\n");
        Assert.Equal("* 2 EXISTS", await idler.ReadLineAsync());
        await other.CommandAsync("o3", "SELECT INBOX");
        await other.CommandAsync("o4", "STORE 1 +FLAGS (\\Deleted)");
        Assert.Equal("* 1 FETCH (FLAGS (\\Deleted))", await idler.ReadLineAsync());
        await other.CommandAsync("o5", "EXPUNGE");
        Assert.Equal("* 1 EXPUNGE", await idler.ReadLineAsync());
        await Transcript.RunAsync(idler, """
            C: DONE
            S: i1 OK IDLE terminated
            """);
    }

    [Fact]
    public async Task Expunge_is_not_sent_during_fetch_but_after_noop()
    {
        using var a = await LoggedInAsync();
        using var b = await LoggedInAsync();
        await AppendAsync(a, "a1", "Subject: one\r\n\r\n1\r\n");
        await AppendAsync(a, "a2", "Subject: two\r\n\r\n2\r\n");
        await a.CommandAsync("a3", "SELECT INBOX");
        await b.CommandAsync("b1", "SELECT INBOX");
        await b.CommandAsync("b2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await b.CommandAsync("b3", "EXPUNGE");
        await Transcript.RunAsync(a, """
            C: a4 FETCH 2 (UID)
            S: * 2 FETCH (UID 2)
            S: a4 OK FETCH completed
            C: a5 NOOP
            S: * 1 EXPUNGE
            S: a5 OK NOOP completed
            C: a6 FETCH 1 (UID)
            S: * 1 FETCH (UID 2)
            S: a6 OK FETCH completed
            """);
    }

    [Fact]
    public async Task Move_sends_copyuid_then_expunge_and_close_expunges_silently()
    {
        using var c = await LoggedInAsync();
        await AppendAsync(c, "a1", "Subject: one\r\n\r\n1\r\n");
        await AppendAsync(c, "a2", "Subject: two\r\n\r\n2\r\n", "(\\Deleted) ");
        await AppendAsync(c, "a3", "Subject: three\r\n\r\n3\r\n");
        await Transcript.RunAsync(c, """
            C: a4 SELECT INBOX
            S: * 3 EXISTS
            S: * 0 RECENT
            S: * FLAGS ...
            S: * OK [PERMANENTFLAGS ...
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 4] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: a4 OK [READ-WRITE] SELECT completed
            C: a5 MOVE 1 Archive
            S: * OK [COPYUID ... 1 1] Moved
            S: * 1 EXPUNGE
            S: a5 OK MOVE completed
            C: a6 UID COPY 3 Nowhere
            S: a6 NO [TRYCREATE] No such mailbox
            C: a7 UID COPY 3 Archive
            S: a7 OK [COPYUID ... 3 2] COPY completed
            C: a8 CLOSE
            S: a8 OK CLOSE completed
            C: a9 STATUS INBOX (MESSAGES DELETED)
            S: * STATUS INBOX (MESSAGES 1 DELETED 0)
            S: a9 OK STATUS completed
            C: b1 EXAMINE Archive
            S: * 2 EXISTS
            S: * 0 RECENT
            S: * FLAGS ...
            S: * OK [PERMANENTFLAGS ()] Flags permitted
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 3] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: b1 OK [READ-ONLY] EXAMINE completed
            C: b2 STORE 1 +FLAGS (\Deleted)
            S: b2 NO [READ-ONLY] Mailbox is read-only
            C: b3 UNSELECT
            S: b3 OK UNSELECT completed
            """);
    }

    [Fact]
    public async Task Multiappend_and_sections_binary_partial_nested_message()
    {
        using var c = await LoggedInAsync();
        var n = Encoding.UTF8.GetByteCount(Nested);
        await c.SendAsync($"a1 APPEND INBOX {{{n}+}}\r\n{Nested} (\\Seen) {{9+}}\r\nX: y\r\n\r\nz\r\n");
        var appended = await c.ReadUntilTaggedAsync("a1");
        Assert.EndsWith(" 1:2] APPEND completed", appended[^1], StringComparison.Ordinal);
        await c.CommandAsync("a2", "SELECT INBOX");
        await Transcript.RunAsync(c, """
            C: a3 FETCH 1 (BODY.PEEK[1] BINARY.SIZE[2] BINARY.PEEK[2] BODY.PEEK[3.HEADER.FIELDS (SUBJECT)] BODY.PEEK[3.TEXT] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS.NOT (FROM MIME-VERSION CONTENT-TYPE)] BODY.PEEK[]<0.6>)
            S: * 1 FETCH (BODY[1] {10}
            S: outer text BINARY.SIZE[2] 4 BINARY[2] ~{4}
            """);
        var raw = await c.ReadLineAsync();
        Assert.Equal("\0\u0001\u0002\u0003 BODY[3.HEADER.FIELDS (SUBJECT)] {18}", raw);
        await Transcript.RunAsync(c, """
            S: Subject: inner
            S: 
            S:  BODY[3.TEXT] {10}
            S: inner body BODY[2.MIME] {77}
            S: Content-Type: application/octet-stream
            S: Content-Transfer-Encoding: base64
            S: 
            S:  BODY[HEADER.FIELDS.NOT (FROM MIME-VERSION CONTENT-TYPE)] {18}
            S: Subject: outer
            S: 
            S:  BODY[]<0> {6}
            S: From: )
            S: a3 OK FETCH completed
            C: a4 FETCH 2 (FLAGS BODY.PEEK[1] BODY.PEEK[5])
            S: * 2 FETCH (FLAGS (\Seen) BODY[1] {1}
            S: z BODY[5] NIL)
            S: a4 OK FETCH completed
            """);
    }

    [Fact]
    public async Task Binary_of_an_unknown_transfer_encoding_is_refused()
    {
        using var c = await LoggedInAsync();
        await AppendAsync(c, "a1", "Subject: uu\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\nend\r\n");
        await c.CommandAsync("a2", "SELECT INBOX");
        await Transcript.RunAsync(c, """
            C: a3 FETCH 1 (BINARY.PEEK[1])
            S: a3 NO [UNKNOWN-CTE] Cannot decode Content-Transfer-Encoding x-uuencode
            C: a4 FETCH 1 (BODY.PEEK[1])
            S: * 1 FETCH (BODY[1] {18}
            S: begin 644 x
            S: end
            S: )
            S: a4 OK FETCH completed
            """);
    }

    [Fact]
    public async Task Searchres_save_and_reuse_and_pipelined_commands()
    {
        using var c = await LoggedInAsync();
        await AppendAsync(c, "a1", "Subject: apple\r\n\r\n1\r\n");
        await AppendAsync(c, "a2", "Subject: banana\r\n\r\n2\r\n", "(\\Flagged) ");
        await AppendAsync(c, "a3", "Subject: apple pie\r\n\r\n3\r\n");
        await c.CommandAsync("a4", "SELECT INBOX");
        // Pipelined: all sent at once, answered in order.
        await c.SendAsync("a5 SEARCH RETURN (SAVE) SUBJECT apple\r\na6 FETCH $ (UID)\r\na7 UID SEARCH RETURN (ALL COUNT) UNFLAGGED\r\na8 SEARCH UID 2:3 FLAGGED\r\n");
        await Transcript.RunAsync(c, """
            S: a5 OK SEARCH completed, result saved
            S: * 1 FETCH (UID 1)
            S: * 3 FETCH (UID 3)
            S: a6 OK FETCH completed
            S: * ESEARCH (TAG "a7") UID COUNT 2 ALL 1,3
            S: a7 OK SEARCH completed
            S: * SEARCH 2
            S: a8 OK SEARCH completed
            """);
    }

    [Fact]
    public async Task List_extended_subscribed_and_lsub()
    {
        using var c = await LoggedInAsync();
        await Transcript.RunAsync(c, """
            C: a1 CREATE Work/Reports
            S: a1 OK CREATE completed
            C: a2 SUBSCRIBE Work/Reports
            S: a2 OK SUBSCRIBE completed
            C: a3 LIST (SUBSCRIBED RECURSIVEMATCH) "" Work
            S: * LIST (\HasChildren) "/" Work ("CHILDINFO" ("SUBSCRIBED"))
            S: a3 OK LIST completed
            C: a4 LSUB "" Work/*
            S: * LSUB () "/" Work/Reports
            S: a4 OK LSUB completed
            C: a5 UNSUBSCRIBE Work/Reports
            S: a5 OK UNSUBSCRIBE completed
            C: a6 LSUB "" Work/*
            S: a6 OK LSUB completed
            """);
    }

    /// <summary>
    /// RFC 9051 §9 seq-number: message numbers past the end, and "*" in an empty mailbox, are BAD;
    /// UID sets never are (§6.4.9: UIDs not in the mailbox are simply left out), whatever their range.
    /// </summary>
    [Fact]
    public async Task Ranges_past_the_end_are_bad_only_for_message_numbers()
    {
        using var c = await LoggedInAsync();
        await Transcript.RunAsync(c, $"""
            C: e1 CREATE Empty
            S: e1 OK CREATE completed
            C: e2 SELECT Empty
            {Transcript.Selected("e2", 0, 1)}
            C: e3 UID FETCH 1:* (FLAGS)
            S: e3 OK FETCH completed
            C: e4 UID FETCH * (FLAGS)
            S: e4 OK FETCH completed
            C: e5 UID STORE 1:* +FLAGS (\Seen)
            S: e5 OK STORE completed
            C: e6 UID COPY 1:* INBOX
            S: e6 OK COPY completed
            C: e7 UID MOVE 1:* INBOX
            S: e7 OK MOVE completed
            C: e8 UID EXPUNGE 1:*
            S: e8 OK EXPUNGE completed
            C: e9 UID SEARCH UID 1:*
            S: * SEARCH
            S: e9 OK SEARCH completed
            C: f1 FETCH 1:* (FLAGS)
            S: f1 BAD Invalid message sequence number
            C: f2 FETCH * (FLAGS)
            S: f2 BAD Invalid message sequence number
            C: f3 STORE * +FLAGS (\Seen)
            S: f3 BAD Invalid message sequence number
            C: f4 COPY * INBOX
            S: f4 BAD Invalid message sequence number
            """);
        await AppendAsync(c, "g1", "Subject: one\r\n\r\nbody\r\n");
        await Transcript.RunAsync(c, $"""
            C: g2 SELECT INBOX
            {Transcript.Selected("g2", 1, 2, closed: true)}
            C: g3 UID FETCH 100:200 (FLAGS)
            S: g3 OK FETCH completed
            C: g4 UID FETCH 5:* (FLAGS)
            S: * 1 FETCH (UID 1 FLAGS ())
            S: g4 OK FETCH completed
            C: g5 FETCH * (FLAGS)
            S: * 1 FETCH (FLAGS ())
            S: g5 OK FETCH completed
            C: g6 FETCH 1:2 (FLAGS)
            S: g6 BAD Invalid message sequence number
            C: g7 FETCH 0 (FLAGS)
            S: g7 BAD ...
            """);
    }

    /// <summary>A refused DELETE of the selected mailbox leaves it selected; a successful one deselects it.</summary>
    [Fact]
    public async Task Refused_delete_of_the_selected_mailbox_keeps_it_selected()
    {
        using var c = await LoggedInAsync();
        await Transcript.RunAsync(c, $"""
            C: d1 CREATE Parent/Child
            S: d1 OK CREATE completed
            C: d2 SELECT Parent
            {Transcript.Selected("d2", 0, 1)}
            C: d3 DELETE Parent
            S: d3 NO [CANNOT] ...
            C: d4 UID FETCH 1:* (FLAGS)
            S: d4 OK FETCH completed
            C: d5 DELETE Parent/Child
            S: d5 OK DELETE completed
            C: d6 UID FETCH 1:* (FLAGS)
            S: d6 OK FETCH completed
            C: d7 SELECT Parent/Child
            S: * OK [CLOSED] Previous mailbox closed
            S: d7 NO [NONEXISTENT] ...
            C: d8 SELECT Parent
            {Transcript.Selected("d8", 0, 1)}
            C: d9 DELETE Parent
            S: d9 OK DELETE completed
            C: e1 UID FETCH 1:* (FLAGS)
            S: e1 BAD ...
            """);
    }

    /// <summary>
    /// Another session deletes the selected mailbox: the next command completes, then BYE and close
    /// (before, the refresh threw and the connection dropped without a word).
    /// </summary>
    [Fact]
    public async Task Selected_mailbox_deleted_by_another_session_ends_with_bye()
    {
        using var a = await LoggedInAsync();
        using var b = await LoggedInAsync();
        Assert.StartsWith("c1 OK", (await a.CommandAsync("c1", "CREATE Tmp"))[^1], StringComparison.Ordinal);
        Assert.StartsWith("c2 OK", (await a.CommandAsync("c2", "SELECT Tmp"))[^1], StringComparison.Ordinal);
        Assert.StartsWith("d1 OK", (await b.CommandAsync("d1", "DELETE Tmp"))[^1], StringComparison.Ordinal);
        // The deletion reaches the other session by the store's change notification. Each round
        // pipelines two NOOPs: after the first notices, BYE follows its OK and the second is never
        // answered; until then both are answered and the next round starts.
        var lines = new List<string>();
        var closed = false;
        for (var i = 0; i < 200 && !closed; i++)
        {
            try
            {
                await a.SendAsync($"n{i} NOOP\r\nm{i} NOOP\r\n");
            }
            catch (IOException)
            {
                // The BYE followed the previous round's second NOOP and the server has closed: read it below.
            }
            while (true)
            {
                var line = await a.ReadLineAsync();
                if (line is null)
                {
                    closed = true;
                    break;
                }
                lines.Add(line);
                if (line.StartsWith($"m{i} ", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        Assert.True(closed);
        Assert.Equal("* BYE Selected mailbox was deleted by another session", lines[^1]);
        Assert.Matches("^[nm][0-9]+ OK NOOP completed$", lines[^2]);
        Assert.StartsWith("d2 OK", (await b.CommandAsync("d2", "NOOP"))[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_of_a_large_base64_part_is_decoded_whole_and_in_part()
    {
        using var c = await LoggedInAsync();
        var content = new string([.. Enumerable.Range(0, 300_000).Select(i => (char)('a' + (i % 26)))]);
        var encoded = Convert.ToBase64String(Encoding.ASCII.GetBytes(content), Base64FormattingOptions.InsertLineBreaks);
        var message = "Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
            "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n--b--\r\n";
        await AppendAsync(c, "a1", message);
        await c.CommandAsync("s1", "SELECT INBOX");

        await c.SendLineAsync("f1 FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2]<1000.50000>)");
        Assert.Equal("* 1 FETCH (BINARY.SIZE[2] 300000 BINARY[2]<1000> {50000}", await c.ReadLineAsync());
        Assert.Equal(content.Substring(1000, 50000) + ")", await c.ReadLineAsync());
        Assert.Equal("f1 OK FETCH completed", await c.ReadLineAsync());

        await c.SendLineAsync("f2 FETCH 1 (BINARY.PEEK[2])");
        Assert.Equal("* 1 FETCH (BINARY[2] {300000}", await c.ReadLineAsync());
        Assert.Equal(content + ")", await c.ReadLineAsync());
        Assert.Equal("f2 OK FETCH completed", await c.ReadLineAsync());

        // Past the end: an empty literal; a part that does not exist: empty too.
        await c.SendLineAsync("f3 FETCH 1 (BINARY.PEEK[2]<400000.10> BINARY.PEEK[7])");
        Assert.Equal("* 1 FETCH (BINARY[2]<400000> {0}", await c.ReadLineAsync());
        Assert.Equal(" BINARY[7] {0}", await c.ReadLineAsync());
        Assert.Equal(")", await c.ReadLineAsync());
        Assert.Equal("f3 OK FETCH completed", await c.ReadLineAsync());
    }
}
