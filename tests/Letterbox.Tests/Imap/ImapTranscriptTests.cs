using System.Text;

namespace Letterbox.Tests.Imap;

/// <summary>Protocol edge cases as transcripts against the real server over loopback TCP.</summary>
public sealed class ImapTranscriptTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync(o =>
    {
        o.Limits.MaxLineLength = 1024;
        o.Limits.MaxCommandLiteralSize = 512;
        o.Limits.MaxMessageSize = 4096;
        o.Timeouts.PreAuthIdleSeconds = 60;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const string Login = "a1 LOGIN alice@example.com \"correct horse battery\"";

    [Fact]
    public async Task Greeting_capability_and_logout()
    {
        using var c = await _server.ConnectRawAsync();
        await Transcript.RunAsync(c, """
            S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS...
            C: a0 CAPABILITY
            S: * CAPABILITY IMAP4rev1 IMAP4rev2 ...
            S: a0 OK CAPABILITY completed
            C: a9 LOGOUT
            S: * BYE Letterbox logging out
            S: a9 OK LOGOUT completed
            """);
        Assert.Null(await c.ReadLineAsync());
    }

    [Fact]
    public async Task Capabilities_advertise_auth_appendlimit_and_no_starttls_without_certificate()
    {
        using var c = await _server.ConnectRawAsync();
        var greeting = await c.ReadLineAsync();
        Assert.Contains("AUTH=PLAIN AUTH=LOGIN", greeting);
        Assert.Contains("APPENDLIMIT=4096", greeting);
        Assert.DoesNotContain("STARTTLS", greeting);
        Assert.DoesNotContain("LOGINDISABLED", greeting);
    }

    [Fact]
    public async Task Login_select_and_state_rules()
    {
        using var c = await _server.ConnectRawAsync();
        await Transcript.RunAsync(c, $"""
            S: * OK ...
            C: a0 SELECT INBOX
            S: a0 BAD Log in first
            C: {Login}
            S: a1 OK [CAPABILITY IMAP4rev1 ...
            C: a2 LOGIN alice@example.com x
            S: a2 BAD ...
            C: a3 FETCH 1 FLAGS
            S: a3 BAD ...
            C: a4 SELECT inbox
            S: * 0 EXISTS
            S: * 0 RECENT
            S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
            S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 1] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: a4 OK [READ-WRITE] SELECT completed
            C: a5 SELECT nosuch
            S: * OK [CLOSED] Previous mailbox closed
            S: a5 NO [NONEXISTENT] No such mailbox
            C: a6 FETCH 1 FLAGS
            S: a6 BAD ...
            """);
    }

    [Fact]
    public async Task List_special_use_children_and_patterns()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        var created = await c.CommandAsync("a2", "CREATE Projects/2026/");
        Assert.Equal("a2 OK CREATE completed", created[^1]);
        var list = await c.CommandAsync("a3", "LIST \"\" *");
        Assert.Equal("a3 OK LIST completed", list[^1]);
        Assert.Contains("* LIST (\\HasNoChildren) \"/\" INBOX", list);
        Assert.Contains(list, l => l.StartsWith("* LIST (\\HasNoChildren \\Sent) \"/\" Sent", StringComparison.Ordinal));
        Assert.Contains(list, l => l.StartsWith("* LIST (\\HasNoChildren \\Trash) \"/\" Trash", StringComparison.Ordinal));
        Assert.Contains("* LIST (\\HasChildren) \"/\" Projects", list);
        Assert.Contains("* LIST (\\HasNoChildren) \"/\" Projects/2026", list);

        var top = await c.CommandAsync("a4", "LIST \"\" %");
        Assert.DoesNotContain(top, l => l.Contains("Projects/2026", StringComparison.Ordinal));
        Assert.Contains("* LIST (\\HasChildren) \"/\" Projects", top);

        var inbox = await c.CommandAsync("a5", "LIST \"\" inbox");
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" INBOX", "a5 OK LIST completed"], inbox);

        var root = await c.CommandAsync("a6", "LIST \"\" \"\"");
        Assert.Equal(["* LIST (\\Noselect) \"/\" \"\"", "a6 OK LIST completed"], root);

        var special = await c.CommandAsync("a7", "LIST (SPECIAL-USE) \"\" * RETURN (STATUS (MESSAGES UNSEEN))");
        Assert.DoesNotContain(special, l => l.EndsWith(" INBOX", StringComparison.Ordinal));
        Assert.Contains(special, l => l.StartsWith("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", StringComparison.Ordinal));
        Assert.Contains("* STATUS Drafts (MESSAGES 0 UNSEEN 0)", special);

        var dup = await c.CommandAsync("a8", "CREATE projects/2026");
        Assert.Equal("a8 OK CREATE completed", dup[^1]);
        var again = await c.CommandAsync("a9", "CREATE Projects/2026");
        Assert.Equal("a9 NO [ALREADYEXISTS] Mailbox already exists", again[^1]);
    }

    [Fact]
    public async Task Append_literal_fetch_store_search_and_expunge()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        var message = "From: Ann <ann@example.org>\r\nSubject: Hello there\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nBody text here\r\n";
        var size = Encoding.UTF8.GetByteCount(message);
        await c.SendLineAsync($"a2 APPEND INBOX (\\Flagged) {{{size}}}");
        Assert.Equal("+ Ready for literal data", await c.ReadLineAsync());
        await c.SendAsync(message + "\r\n");
        var appended = await c.ReadUntilTaggedAsync("a2");
        Assert.StartsWith("a2 OK [APPENDUID ", appended[^1], StringComparison.Ordinal);
        Assert.EndsWith(" 1] APPEND completed", appended[^1], StringComparison.Ordinal);

        // LITERAL+: no continuation.
        var second = "Subject: second\r\n\r\nother\r\n";
        await c.SendAsync($"a3 APPEND INBOX {{{second.Length}+}}\r\n{second}\r\n");
        Assert.StartsWith("a3 OK [APPENDUID", (await c.ReadUntilTaggedAsync("a3"))[^1], StringComparison.Ordinal);

        await Transcript.RunAsync(c, """
            C: a4 EXAMINE INBOX
            S: * 2 EXISTS
            S: * 0 RECENT
            S: * FLAGS ...
            S: * OK [PERMANENTFLAGS ()] Flags permitted
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 3] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: a4 OK [READ-ONLY] EXAMINE completed
            C: a5 FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)])
            S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {24}
            S: Subject: Hello there
            S: 
            S: )
            S: a5 OK FETCH completed
            C: a6 FETCH 1 FLAGS
            S: * 1 FETCH (FLAGS (\Flagged))
            S: a6 OK FETCH completed
            C: a7 SELECT INBOX
            S: * OK [CLOSED] Previous mailbox closed
            S: * 2 EXISTS
            S: * 0 RECENT
            S: * FLAGS ...
            S: * OK [PERMANENTFLAGS ...
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 3] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: a7 OK [READ-WRITE] SELECT completed
            C: a8 FETCH 1 (BODY[TEXT])
            S: * 1 FETCH (BODY[TEXT] {16}
            S: Body text here
            S:  FLAGS (\Flagged \Seen))
            S: a8 OK FETCH completed
            C: a9 SEARCH SUBJECT hello
            S: * SEARCH 1
            S: a9 OK SEARCH completed
            C: b1 SEARCH OR BODY other SUBJECT nothing
            S: * SEARCH 2
            S: b1 OK SEARCH completed
            C: b2 UID SEARCH NOT SEEN
            S: * SEARCH 2
            S: b2 OK SEARCH completed
            C: b3 SEARCH RETURN (MIN COUNT) ALL
            S: * ESEARCH (TAG "b3") MIN 1 COUNT 2
            S: b3 OK SEARCH completed
            C: b4 SEARCH SENTON 2-Mar-2026
            S: * SEARCH 1
            S: b4 OK SEARCH completed
            C: b5 STORE 2 +FLAGS (\Deleted)
            S: * 2 FETCH (FLAGS (\Deleted))
            S: b5 OK STORE completed
            C: b6 UID STORE 1 +FLAGS.SILENT (work)
            S: b6 OK STORE completed
            C: b7 EXPUNGE
            S: * 2 EXPUNGE
            S: b7 OK EXPUNGE completed
            C: b8 UID FETCH 1:* (FLAGS)
            S: * 1 FETCH (UID 1 FLAGS (\Flagged \Seen work))
            S: b8 OK FETCH completed
            """);
    }

    [Fact]
    public async Task Literal_too_large_is_refused_before_continuation_and_session_stays_in_step()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        await Transcript.RunAsync(c, """
            C: a2 APPEND INBOX {5000}
            S: a2 NO [TOOBIG] Message too large (APPENDLIMIT 4096)
            C: a3 LOGIN {600}
            S: a3 BAD Literal too large (limit 512 octets)
            C: a4 NOOP
            S: a4 OK NOOP completed
            """);
        // A non-synchronising literal that is too big is read and dropped.
        await c.SendAsync("a5 APPEND INBOX {5000+}\r\n" + new string('x', 5000) + "\r\na6 NOOP\r\n");
        Assert.Equal("a5 NO [TOOBIG] Message too large (APPENDLIMIT 4096)", await c.ReadLineAsync());
        Assert.Equal("a6 OK NOOP completed", await c.ReadLineAsync());
    }

    [Fact]
    public async Task Append_before_login_gets_the_small_literal_limit()
    {
        using var c = await _server.ConnectRawAsync();
        await Transcript.RunAsync(c, """
            S: * OK ...
            C: a1 APPEND INBOX {1000}
            S: a1 BAD Literal too large (limit 512 octets)
            C: a2 APPEND INBOX {5}
            S: + Ready for literal data
            C: hello
            S: a2 BAD Log in first
            """);
    }

    [Fact]
    public async Task Line_too_long_and_malformed_commands_get_BAD()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.SendLineAsync("a1 NOOP " + new string('x', 3000));
        var bad = await c.ReadLineAsync();
        Assert.Equal("a1 BAD Line too long (limit 1024 octets)", bad);
        await Transcript.RunAsync(c, """
            C: a2 FROB
            S: a2 BAD ...
            C: )))
            S: * BAD ...
            C: a3 LOGIN
            S: a3 BAD ...
            C: a4 NOOP
            S: a4 OK NOOP completed
            """);
    }

    [Fact]
    public async Task Failed_logins_then_disconnect()
    {
        using var c = await _server.ConnectRawAsync();
        await Transcript.RunAsync(c, """
            S: * OK ...
            C: a1 LOGIN alice@example.com wrong
            S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a2 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAG5vcGU=
            S: a2 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a3 LOGIN nobody@example.com wrong
            S: a3 NO [AUTHENTICATIONFAILED] Invalid credentials
            S: * BYE Too many failed logins
            """);
        Assert.Null(await c.ReadLineAsync());
    }

    [Fact]
    public async Task The_same_wrong_password_over_every_mechanism_is_one_failure()
    {
        using var c = await _server.ConnectRawAsync();
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice@example.com\0tpyo"));
        var user = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice@example.com"));
        var pass = Convert.ToBase64String(Encoding.UTF8.GetBytes("tpyo"));
        await Transcript.RunAsync(c, $"""
            S: * OK ...
            C: a1 AUTHENTICATE PLAIN {plain}
            S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a2 AUTHENTICATE LOGIN {user}
            S: + UGFzc3dvcmQ6
            C: {pass}
            S: a2 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a3 LOGIN alice@example.com tpyo
            S: a3 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a4 LOGIN alice@example.com tpyo
            S: a4 NO [AUTHENTICATIONFAILED] Invalid credentials
            C: a5 LOGIN alice@example.com "correct horse battery"
            S: a5 OK [CAPABILITY ...
            """);
    }

    [Fact]
    public async Task Authenticate_plain_with_continuation_login_mechanism_and_cancel()
    {
        using var c = await _server.ConnectRawAsync();
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice@example.com\0correct horse battery"));
        var user = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice@example.com"));
        var pass = Convert.ToBase64String(Encoding.UTF8.GetBytes("correct horse battery"));
        await Transcript.RunAsync(c, $"""
            S: * OK ...
            C: a1 AUTHENTICATE PLAIN
            S: + 
            C: *
            S: a1 BAD AUTHENTICATE cancelled
            C: a2 AUTHENTICATE LOGIN
            S: + VXNlcm5hbWU6
            C: {user}
            S: + UGFzc3dvcmQ6
            C: {pass}
            S: a2 OK [CAPABILITY ...
            """);
        using var d = await _server.ConnectRawAsync();
        await Transcript.RunAsync(d, $"""
            S: * OK ...
            C: b1 AUTHENTICATE PLAIN
            S: + 
            C: {plain}
            S: b1 OK [CAPABILITY ...
            """);
    }

    [Fact]
    public async Task Plaintext_login_refused_off_loopback_policy()
    {
        await using var strict = await ImapTestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        using var c = await strict.ConnectRawAsync();
        var greeting = await c.ReadLineAsync();
        Assert.Contains("LOGINDISABLED", greeting);
        Assert.DoesNotContain("AUTH=PLAIN", greeting);
        await Transcript.RunAsync(c, $"""
            C: {Login}
            S: a1 NO [PRIVACYREQUIRED] ...
            """);
    }

    [Fact]
    public async Task Enable_rev2_namespace_id_status_and_esearch()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        await Transcript.RunAsync(c, """
            C: a2 ENABLE IMAP4rev2
            S: * ENABLED IMAP4rev2
            S: a2 OK ENABLE completed
            C: a3 NAMESPACE
            S: * NAMESPACE (("" "/")) NIL NIL
            S: a3 OK NAMESPACE completed
            C: a4 ID NIL
            S: * ID ("name" "Letterbox" "version" ...
            S: a4 OK ID completed
            C: a5 STATUS INBOX (MESSAGES UIDNEXT SIZE DELETED APPENDLIMIT)
            S: * STATUS INBOX (MESSAGES 0 UIDNEXT 1 SIZE 0 DELETED 0 APPENDLIMIT 4096)
            S: a5 OK STATUS completed
            C: a6 SELECT INBOX
            S: * 0 EXISTS
            S: * FLAGS ...
            S: * OK [PERMANENTFLAGS ...
            S: * OK [UIDVALIDITY ...
            S: * OK [UIDNEXT 1] Predicted next UID
            S: * OK [HIGHESTMODSEQ ...
            S: * LIST () "/" INBOX
            S: a6 OK [READ-WRITE] SELECT completed
            C: a7 SEARCH ALL
            S: * ESEARCH (TAG "a7")
            S: a7 OK SEARCH completed
            C: a8 UNSELECT
            S: a8 OK UNSELECT completed
            C: a9 CREATE "Entwürfe"
            S: a9 OK CREATE completed
            C: b1 LIST "" Entw*
            S: * LIST (\HasNoChildren) "/" "Entwürfe"
            S: b1 OK LIST completed
            """);
    }

    [Fact]
    public async Task Modified_utf7_names_without_utf8()
    {
        using var c = await _server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        await Transcript.RunAsync(c, """
            C: a2 CREATE Entw&APw-rfe
            S: a2 OK CREATE completed
            C: a3 LIST "" Entw*
            S: * LIST (\HasNoChildren) "/" Entw&APw-rfe
            S: a3 OK LIST completed
            C: a4 RENAME Entw&APw-rfe Drafts2
            S: a4 OK RENAME completed
            C: a5 DELETE Drafts2
            S: a5 OK DELETE completed
            C: a6 DELETE Drafts2
            S: a6 NO [NONEXISTENT] ...
            C: a7 APPEND Nowhere {3+}
            C: abc
            S: a7 NO [TRYCREATE] No such mailbox
            """);
    }

    [Fact]
    public async Task Idle_command_ends_with_bye_after_the_idle_time()
    {
        await using var quick = await ImapTestServer.StartAsync(o => o.Timeouts.IdleSeconds = 1);
        using var c = await quick.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", Login[3..]);
        await Transcript.RunAsync(c, """
            C: a2 IDLE
            S: + idling
            S: * BYE Autologout; idle for too long
            S: a2 NO IDLE timed out
            """);
        Assert.Null(await c.ReadLineAsync());
    }

    [Fact]
    public async Task Idle_timeout_before_login_says_bye()
    {
        await using var quick = await ImapTestServer.StartAsync(o => o.Timeouts.PreAuthIdleSeconds = 1);
        using var c = await quick.ConnectRawAsync();
        await c.ReadLineAsync();
        Assert.Equal("* BYE Autologout; idle for too long", await c.ReadLineAsync());
        Assert.Null(await c.ReadLineAsync());
    }
}
