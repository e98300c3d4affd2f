using System.Text;
using Letterbox.Store;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>C:/S: exchanges against a running server over loopback TCP, for every command and error path.</summary>
public class Pop3TranscriptTests
{
    private static readonly byte[] Dotted = Encoding.ASCII.GetBytes(
        "From: a@example.net\r\nTo: alice@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nplain\r\n");

    private static async Task<(Pop3TestServer Server, Pop3Wire Wire)> LoggedInAsync(int messages = 3, Action<Core.Options.LetterboxOptions>? configure = null)
    {
        var server = await Pop3TestServer.StartAsync(configure);
        if (messages > 0)
        {
            await server.DeliverAsync(Enumerable.Range(0, messages).Select(i => TestMessages.Create(i)).ToArray());
        }
        var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
        return (server, wire);
    }

    [Fact]
    public async Task Greeting_capa_and_quit_before_login()
    {
        await using var server = await Pop3TestServer.StartAsync();
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.Equal("+OK Letterbox POP3 ready", wire.Greeting);
        var capa = await wire.MultiAsync("CAPA");
        foreach (var cap in new[] { "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UTF8 USER", "EXPIRE NEVER", "LOGIN-DELAY 0", "USER", "SASL PLAIN LOGIN", "STLS", "IMPLEMENTATION Letterbox" })
        {
            Assert.Contains(cap, capa);
        }
        Assert.DoesNotContain(capa, c => c.StartsWith("APOP", StringComparison.Ordinal));
        Assert.Equal(["PLAIN", "LOGIN"], await wire.MultiAsync("AUTH"));
        Assert.StartsWith("+OK UTF8", await wire.CommandAsync("UTF8"), StringComparison.Ordinal);
        Assert.Equal("+OK Letterbox POP3 signing off", await wire.CommandAsync("QUIT"));
        Assert.Null(await wire.ReadLineAsync());
    }

    [Fact]
    public async Task Implicit_tls_capa_has_no_stls_and_stls_is_refused()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3s, implicitTls: true, server.CertificatePath);
        var capa = await wire.MultiAsync("CAPA");
        Assert.DoesNotContain("STLS", capa);
        Assert.Contains("USER", capa);
        Assert.Equal("-ERR command not permitted when TLS active", await wire.CommandAsync("STLS"));
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
    }

    [Fact]
    public async Task Plaintext_login_is_refused_before_stls_and_allowed_after()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        var capa = await wire.MultiAsync("CAPA");
        Assert.DoesNotContain("USER", capa);
        Assert.DoesNotContain(capa, c => c.StartsWith("SASL", StringComparison.Ordinal));
        Assert.Contains("STLS", capa);
        Assert.Equal("-ERR [AUTH] plaintext authentication is refused on an unencrypted connection; use STLS or port 995", await wire.CommandAsync("USER " + server.User));
        Assert.StartsWith("-ERR [AUTH] plaintext", await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64("\0" + server.User + "\0" + Pop3TestServer.Password)), StringComparison.Ordinal);
        Assert.Equal("-ERR USER first", await wire.CommandAsync("PASS " + Pop3TestServer.Password));

        Assert.Equal("+OK Begin TLS negotiation", await wire.CommandAsync("STLS"));
        await wire.Raw.StartTlsAsync(server.CertificatePath);
        capa = await wire.MultiAsync("CAPA");
        Assert.Contains("USER", capa);
        Assert.DoesNotContain("STLS", capa);
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
    }

    /// <summary>RFC 2595 §3.1: commands pipelined after STLS in plaintext must be discarded, not run under TLS.</summary>
    [Fact]
    public async Task Plaintext_pipelined_after_stls_is_discarded()
    {
        await using var server = await Pop3TestServer.StartAsync();
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.SendAsync($"STLS\r\nUSER {server.User}\r\nPASS {Pop3TestServer.Password}\r\n");
        Assert.Equal("+OK Begin TLS negotiation", await wire.ReadLineAsync());
        await wire.Raw.StartTlsAsync(server.CertificatePath);
        // Had the injected USER/PASS been kept, they would have spoiled the handshake or logged in; STAT proves neither.
        Assert.StartsWith("-ERR STAT is not allowed in the AUTHORIZATION state", await wire.CommandAsync("STAT"), StringComparison.Ordinal);
        Assert.Equal("-ERR USER first", await wire.CommandAsync("PASS " + Pop3TestServer.Password));
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
    }

    [Fact]
    public async Task Failed_logins_are_answered_with_auth_code_then_the_connection_closes()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.StartsWith("+OK", await wire.CommandAsync("USER nobody@example.org"), StringComparison.Ordinal);
        Assert.Equal("-ERR [AUTH] invalid login or password", await wire.CommandAsync("PASS whatever"));
        Assert.StartsWith("+OK", await wire.CommandAsync("USER " + server.User), StringComparison.Ordinal);
        Assert.Equal("-ERR [AUTH] invalid login or password", await wire.CommandAsync("PASS wrong password"));
        Assert.Equal("-ERR [AUTH] invalid login or password; too many failed logins, closing connection",
            await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64("\0" + server.User + "\0nope")));
        Assert.Null(await wire.ReadLineAsync());
    }

    [Fact]
    public async Task Failed_login_delay_is_applied()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.FailedLoginDelayMs = 300);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.CommandAsync("USER " + server.User);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.StartsWith("-ERR [AUTH]", await wire.CommandAsync("PASS bad"), StringComparison.Ordinal);
        Assert.True(clock.ElapsedMilliseconds >= 280, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Sasl_plain_and_login_with_and_without_initial_response()
    {
        await using var server = await Pop3TestServer.StartAsync();
        var plain = Pop3Wire.Base64("\0" + server.User + "\0" + Pop3TestServer.Password);

        await using (var wire = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            Assert.StartsWith("+OK maildrop has 0 messages", await wire.CommandAsync("AUTH PLAIN " + plain), StringComparison.Ordinal);
            await wire.CommandAsync("QUIT");
        }
        await using (var wire = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            Assert.Equal("+ ", await wire.CommandAsync("AUTH PLAIN"));
            Assert.StartsWith("+OK", await wire.CommandAsync(plain), StringComparison.Ordinal);
            await wire.CommandAsync("QUIT");
        }
        await using (var wire = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            Assert.Equal("+ VXNlcm5hbWU6", await wire.CommandAsync("AUTH LOGIN"));
            Assert.Equal("+ UGFzc3dvcmQ6", await wire.CommandAsync(Pop3Wire.Base64(server.User)));
            Assert.StartsWith("+OK", await wire.CommandAsync(Pop3Wire.Base64(Pop3TestServer.Password)), StringComparison.Ordinal);
            await wire.CommandAsync("QUIT");
        }
        await using (var wire = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            Assert.Equal("+ UGFzc3dvcmQ6", await wire.CommandAsync("AUTH LOGIN " + Pop3Wire.Base64(server.User)));
            Assert.StartsWith("+OK", await wire.CommandAsync(Pop3Wire.Base64(Pop3TestServer.Password)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sasl_errors()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.MaxFailedLogins = 10);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.Equal("-ERR unsupported mechanism; use one of PLAIN LOGIN", await wire.CommandAsync("AUTH CRAM-MD5"));
        Assert.Equal("+ ", await wire.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR authentication cancelled", await wire.CommandAsync("*"));
        Assert.Equal("-ERR invalid base64 in SASL response", await wire.CommandAsync("AUTH PLAIN %%%%"));
        Assert.StartsWith("-ERR PLAIN response", await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64("no nuls")), StringComparison.Ordinal);
        Assert.Equal("-ERR [AUTH] authorization identity not permitted",
            await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64("bob@example.org\0" + server.User + "\0" + Pop3TestServer.Password)));
        Assert.Equal("-ERR [AUTH] invalid login or password", await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64("\0" + server.User + "\0wrong")));
        Assert.StartsWith("+OK", await wire.CommandAsync("AUTH PLAIN " + Pop3Wire.Base64(server.User + "\0" + server.User + "\0" + Pop3TestServer.Password)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transaction_commands()
    {
        var (server, wire) = await LoggedInAsync();
        await using var _ = server;
        await using var __ = wire;
        var stored = await server.InboxAsync();
        var sizes = stored.Select(m => m.Size).ToArray();

        Assert.Equal($"+OK 3 {sizes.Sum()}", await wire.CommandAsync("STAT"));
        Assert.Equal([$"1 {sizes[0]}", $"2 {sizes[1]}", $"3 {sizes[2]}"], await wire.MultiAsync("LIST"));
        Assert.Equal($"+OK 2 {sizes[1]}", await wire.CommandAsync("LIST 2"));
        Assert.Equal("-ERR no such message", await wire.CommandAsync("LIST 4"));
        Assert.Equal("-ERR no such message", await wire.CommandAsync("LIST 0"));
        Assert.Equal("-ERR invalid message number", await wire.CommandAsync("LIST two"));
        Assert.Equal(stored.Select((m, i) => $"{i + 1} {m.EmailId}"), await wire.MultiAsync("UIDL"));
        Assert.Equal($"+OK 3 {stored[2].EmailId}", await wire.CommandAsync("UIDL 3"));

        Assert.Equal($"+OK {sizes[0]} octets", await wire.CommandAsync("RETR 1"));
        var body = await wire.ReadBodyAsync();
        Assert.Equal(Encoding.UTF8.GetString(TestMessages.Create(0)), string.Join("\r\n", body) + "\r\n");

        Assert.StartsWith("+OK", await wire.CommandAsync("TOP 1 0"), StringComparison.Ordinal);
        var top0 = await wire.ReadBodyAsync();
        Assert.Equal("", top0[^1]);
        Assert.Contains("Subject: Test message 0", top0);
        Assert.StartsWith("+OK", await wire.CommandAsync("TOP 1 2"), StringComparison.Ordinal);
        var top2 = await wire.ReadBodyAsync();
        Assert.Equal(top0.Count + 2, top2.Count);
        Assert.StartsWith("Line 1 of message 0", top2[^1], StringComparison.Ordinal);

        Assert.Equal("+OK message 2 deleted", await wire.CommandAsync("DELE 2"));
        Assert.Equal("-ERR message 2 already deleted", await wire.CommandAsync("DELE 2"));
        Assert.Equal("-ERR message 2 already deleted", await wire.CommandAsync("RETR 2"));
        Assert.Equal("-ERR message 2 already deleted", await wire.CommandAsync("TOP 2 1"));
        Assert.Equal("-ERR message 2 already deleted", await wire.CommandAsync("LIST 2"));
        Assert.Equal("-ERR message 2 already deleted", await wire.CommandAsync("UIDL 2"));
        Assert.Equal($"+OK 2 {sizes[0] + sizes[2]}", await wire.CommandAsync("STAT"));
        Assert.Equal([$"1 {sizes[0]}", $"3 {sizes[2]}"], await wire.MultiAsync("LIST"));
        Assert.Equal($"+OK maildrop has 3 messages ({sizes.Sum()} octets)", await wire.CommandAsync("RSET"));
        Assert.Equal("+OK", await wire.CommandAsync("NOOP"));
        Assert.Equal("+OK message 3 deleted", await wire.CommandAsync("DELE 3"));
        Assert.Equal("-ERR no such message", await wire.CommandAsync("RETR 9"));

        Assert.Equal("-ERR USER is not allowed in the TRANSACTION state", await wire.CommandAsync("USER x"));
        Assert.Equal("-ERR STLS is not allowed in the TRANSACTION state", await wire.CommandAsync("STLS"));
        Assert.Equal("-ERR AUTH is not allowed in the TRANSACTION state", await wire.CommandAsync("AUTH PLAIN"));
        var capa = await wire.MultiAsync("CAPA");
        Assert.DoesNotContain("STLS", capa);
        Assert.Contains("EXPIRE NEVER", capa);

        Assert.Equal("+OK Letterbox POP3 signing off (2 messages left)", await wire.CommandAsync("QUIT"));
        Assert.Null(await wire.ReadLineAsync());
        var after = await server.InboxAsync();
        Assert.Equal([stored[0].Uid, stored[1].Uid], after.Select(m => m.Uid));
    }

    [Fact]
    public async Task Bad_input_and_wrong_state()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Limits.MaxLineLength = 200);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.Equal("-ERR STAT is not allowed in the AUTHORIZATION state", await wire.CommandAsync("STAT"));
        Assert.Equal("-ERR RETR is not allowed in the AUTHORIZATION state", await wire.CommandAsync("RETR 1"));
        Assert.Equal("-ERR NOOP is not allowed in the AUTHORIZATION state", await wire.CommandAsync("NOOP"));
        Assert.Equal("-ERR unknown command", await wire.CommandAsync("APOP alice 1234"));
        Assert.Equal("-ERR unknown command", await wire.CommandAsync("XYZZY"));
        Assert.Equal("-ERR empty command", await wire.CommandAsync(""));
        Assert.Equal("-ERR CAPA takes no arguments", await wire.CommandAsync("CAPA x"));
        Assert.Equal("-ERR line too long (limit 200 octets)", await wire.CommandAsync("USER " + new string('a', 100_000)));
        Assert.Equal("-ERR line too long (limit 200 octets)", await wire.CommandAsync(new string('x', 201)));
        Assert.StartsWith("+OK", await wire.CommandAsync("USER " + new string('a', 190)), StringComparison.Ordinal);
        await wire.SendAsync("USER \0\r\n");
        Assert.Equal("-ERR NUL is not allowed in a command", await wire.ReadLineAsync());
        await wire.Raw.SendAsync([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xFF, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR command is not valid UTF-8", await wire.ReadLineAsync());
        // The session is still in step after all that.
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
        Assert.Equal("+OK 0 0", await wire.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        var (server, wire) = await LoggedInAsync(2);
        await using var _ = server;
        await using var __ = wire;
        await wire.SendAsync("STAT\r\nLIST 1\r\nUIDL 2\r\nNOOP\r\nTOP 1 0\r\nDELE 1\r\nSTAT\r\nRSET\r\n");
        Assert.StartsWith("+OK 2 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("+OK 1 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("+OK 2 M", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal("+OK", await wire.ReadLineAsync());
        Assert.StartsWith("+OK", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Contains("Subject: Test message 0", await wire.ReadBodyAsync());
        Assert.Equal("+OK message 1 deleted", await wire.ReadLineAsync());
        Assert.StartsWith("+OK 1 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("+OK maildrop has 2 messages", await wire.ReadLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retr_dot_stuffs_and_ends_with_a_single_dot()
    {
        await using var server = await Pop3TestServer.StartAsync();
        await server.DeliverAsync(Dotted);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
        await wire.SendAsync("RETR 1\r\n");
        Assert.StartsWith("+OK", await wire.ReadLineAsync(), StringComparison.Ordinal);
        var raw = new List<string>();
        string? line;
        while ((line = await wire.ReadLineAsync()) != ".")
        {
            raw.Add(line!);
        }
        Assert.Equal(["From: a@example.net", "To: alice@example.org", "Subject: dots", "", "..leading dot", "...two dots", "..", "plain"], raw);
    }

    /// <summary>A large message streams: the client gets the whole of it, byte-exact after un-stuffing.</summary>
    [Fact]
    public async Task Large_message_streams_intact()
    {
        await using var server = await Pop3TestServer.StartAsync();
        var big = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; big.Length < 3 * 1024 * 1024; i++)
        {
            big.Append(i % 7 == 0 ? "." : "").Append("line ").Append(i).Append(' ').Append(new string('z', i % 90)).Append("\r\n");
        }
        var bytes = Encoding.ASCII.GetBytes(big.ToString());
        await server.DeliverAsync(bytes);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.LoginAsync(server.User, Pop3TestServer.Password);
        Assert.Equal($"+OK {bytes.Length} octets", await wire.CommandAsync("RETR 1"));
        var body = await wire.ReadBodyAsync();
        Assert.Equal(big.ToString(), string.Join("\r\n", body) + "\r\n");
    }

    [Fact]
    public async Task Second_session_gets_in_use_until_the_first_ends()
    {
        var (server, first) = await LoggedInAsync(1);
        await using var _ = server;
        await using (var second = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            await second.CommandAsync("USER " + server.User);
            Assert.Equal("-ERR [IN-USE] maildrop is locked by another POP3 session", await second.CommandAsync("PASS " + Pop3TestServer.Password));
            // Wrong password while locked: [AUTH], not [IN-USE] (RFC 2449 §8.1.1 only after valid credentials).
            await second.CommandAsync("USER " + server.User);
            Assert.StartsWith("-ERR [AUTH]", await second.CommandAsync("PASS wrong"), StringComparison.Ordinal);
            Assert.StartsWith("+OK", await first.CommandAsync("QUIT"), StringComparison.Ordinal);
            await first.DisposeAsync();
            await second.LoginAsync(server.User, Pop3TestServer.Password);
        }
    }

    [Fact]
    public async Task Killed_connection_deletes_nothing_and_releases_the_lock()
    {
        var (server, wire) = await LoggedInAsync(3);
        await using var _ = server;
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 1"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 2"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await wire.CommandAsync("RETR 3"), StringComparison.Ordinal);
        await wire.ReadBodyAsync();
        await wire.DisposeAsync();

        // Readiness, not a sleep: log in again until the server has noticed the drop and released the lock.
        await using var again = await LoginWhenUnlockedAsync(server);
        Assert.StartsWith("+OK 3 ", await again.CommandAsync("STAT"), StringComparison.Ordinal);
        Assert.Equal(3, (await server.InboxAsync()).Count);
    }

    internal static async Task<Pop3Wire> LoginWhenUnlockedAsync(Pop3TestServer server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var wire = await Pop3Wire.ConnectAsync(server.Pop3);
            await wire.CommandAsync("USER " + server.User);
            var status = await wire.CommandAsync("PASS " + Pop3TestServer.Password);
            if (status.StartsWith("+OK", StringComparison.Ordinal))
            {
                return wire;
            }
            await wire.DisposeAsync();
            Assert.StartsWith("-ERR [IN-USE]", status, StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow < deadline, "the lock was never released");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Idle_timeout_before_login_closes_the_connection()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Timeouts.PreAuthIdleSeconds = 1);
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.Equal("-ERR autologout: idle for too long", await wire.ReadLineAsync());
        Assert.Null(await wire.ReadLineAsync());
    }

    [Fact]
    public async Task Idle_timeout_after_login_deletes_nothing()
    {
        var (server, wire) = await LoggedInAsync(1, o => o.Pop3.IdleSeconds = 1);
        await using var _ = server;
        await using var __ = wire;
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 1"), StringComparison.Ordinal);
        Assert.Equal("-ERR autologout: idle for too long", await wire.ReadLineAsync());
        Assert.Null(await wire.ReadLineAsync());
        Assert.Single(await server.InboxAsync());
    }

    [Fact]
    public async Task Pop3_can_be_disabled_globally_and_per_user()
    {
        await using var server = await Pop3TestServer.StartAsync(o =>
        {
            o.Pop3.Enabled = false;
            o.Pop3.Overrides["example.com"] = new Core.Options.Pop3AccountOptions { Enabled = true };
            o.Pop3.Overrides["bob@example.com"] = new Core.Options.Pop3AccountOptions { Enabled = false };
        });
        await server.AddUserAsync("carol@example.com");
        await server.AddUserAsync("bob@example.com");
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        await wire.CommandAsync("USER " + server.User);
        Assert.Equal("-ERR [SYS/PERM] POP3 access is disabled for this account; use IMAP", await wire.CommandAsync("PASS " + Pop3TestServer.Password));
        await wire.CommandAsync("USER bob@example.com");
        Assert.StartsWith("-ERR [SYS/PERM]", await wire.CommandAsync("PASS " + Pop3TestServer.Password), StringComparison.Ordinal);
        await wire.LoginAsync("carol@example.com", Pop3TestServer.Password);
    }

    [Fact]
    public async Task Login_delay_refuses_a_second_login_too_soon()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Pop3.LoginDelaySeconds = 3600);
        await using (var first = await Pop3Wire.ConnectAsync(server.Pop3))
        {
            Assert.Contains("LOGIN-DELAY 3600", await first.MultiAsync("CAPA"));
            await first.LoginAsync(server.User, Pop3TestServer.Password);
            await first.CommandAsync("QUIT");
        }
        await using var second = await Pop3Wire.ConnectAsync(server.Pop3);
        await second.CommandAsync("USER " + server.User);
        Assert.Equal("-ERR [LOGIN-DELAY] wait 3600 seconds between logins", await second.CommandAsync("PASS " + Pop3TestServer.Password));
    }

    [Fact]
    public async Task Mark_seen_on_retrieve_applies_at_quit()
    {
        var (server, wire) = await LoggedInAsync(2, o => o.Pop3.MarkSeenOnRetrieve = true);
        await using var _ = server;
        await using var __ = wire;
        await wire.MultiAsync("RETR 2");
        await wire.MultiAsync("TOP 1 1");
        Assert.All(await server.InboxAsync(), m => Assert.DoesNotContain("\\Seen", m.Flags));
        await wire.CommandAsync("QUIT");
        var inbox = await server.InboxAsync();
        Assert.DoesNotContain("\\Seen", inbox[0].Flags);
        Assert.Contains("\\Seen", inbox[1].Flags);
    }

    [Fact]
    public async Task Delete_on_retrieve_is_advertised_and_applied_at_quit()
    {
        var (server, wire) = await LoggedInAsync(3, o => o.Pop3.Overrides["example.org"] = new Core.Options.Pop3AccountOptions { DeleteOnRetrieve = true });
        await using var _ = server;
        await using var __ = wire;
        Assert.Contains("EXPIRE 0", await wire.MultiAsync("CAPA"));
        await wire.MultiAsync("RETR 1");
        await wire.MultiAsync("TOP 2 0");
        Assert.StartsWith("+OK", await wire.CommandAsync("QUIT"), StringComparison.Ordinal);
        Assert.Equal(2, (await server.InboxAsync()).Count);

        await using var before = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.Contains("EXPIRE NEVER USER", await before.MultiAsync("CAPA"));
    }

    [Fact]
    public async Task Too_many_connections_are_refused_in_pop3()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Limits.MaxConnectionsPerIp = 1);
        await using var first = await Pop3Wire.ConnectAsync(server.Pop3);
        await using var second = await RawImapClient.ConnectAsync(server.Pop3);
        Assert.Equal("-ERR [SYS/TEMP] Too many connections, try again later", await second.ReadLineAsync());
        Assert.Null(await second.ReadLineAsync());
    }

    [Fact]
    public async Task Server_shutdown_says_sys_temp_and_deletes_nothing()
    {
        var (server, wire) = await LoggedInAsync(2);
        await using var _ = wire;
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 1"), StringComparison.Ordinal);
        var data = server.Inner.Data.Path;
        await server.Inner.Server.DisposeAsync();
        Assert.Equal("-ERR [SYS/TEMP] server shutting down", await wire.ReadLineAsync());
        Assert.Null(await wire.ReadLineAsync());
        await using (var restarted = await Letterbox.Hosting.LetterboxServer.StartAsync(
            new Core.Options.LetterboxOptions { DataDirectory = data, HostName = "localhost", Listeners = { ["pop3"] = new() { Protocol = Core.Options.ListenerProtocol.Pop3, Address = "127.0.0.1", Port = 0 } } },
            dev: true, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance))
        {
            var user = (await restarted.Directory.FindUserAsync(server.User))!;
            await using var account = await restarted.Store.OpenAccountAsync(user);
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            Assert.Equal(2, (await account.GetStatusAsync(inbox.Id)).Messages);
        }
        server.Inner.Data.Dispose();
    }

    [Fact]
    public async Task Utf8_user_names_log_in()
    {
        await using var server = await Pop3TestServer.StartAsync();
        await server.AddUserAsync("jörg@example.org");
        await using var wire = await Pop3Wire.ConnectAsync(server.Pop3);
        Assert.StartsWith("+OK", await wire.CommandAsync("UTF8"), StringComparison.Ordinal);
        await wire.LoginAsync("jörg@example.org", Pop3TestServer.Password);
        Assert.Equal("-ERR UTF8 is not allowed in the TRANSACTION state", await wire.CommandAsync("UTF8"));
    }

    /// <summary>The message list is fixed at login: IMAP-side expunges and arrivals do not renumber it; QUIT removes only its own DELEs.</summary>
    [Fact]
    public async Task Numbering_is_stable_while_the_store_changes()
    {
        var (server, wire) = await LoggedInAsync(3);
        await using var _ = server;
        await using var __ = wire;
        var before = await server.InboxAsync();
        var uidl = await wire.MultiAsync("UIDL");

        await using (var account = await server.OpenAccountAsync())
        {
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            // Another client (IMAP) expunges message 2 and a delivery arrives.
            await account.StoreFlagsAsync(inbox.Id, [before[1].Uid], FlagOperation.Add, ["\\Deleted"]);
            Assert.Equal([before[1].Uid], await account.ExpungeAsync(inbox.Id));
            await account.AppendAsync(inbox.Id, [new NewMessage(new MemoryStream(TestMessages.Create(42)), [], null)]);
            // And flags another message \Deleted without expunging: POP3's QUIT must not expunge it.
            await account.StoreFlagsAsync(inbox.Id, [before[2].Uid], FlagOperation.Add, ["\\Deleted"]);
        }

        Assert.StartsWith("+OK 3 ", await wire.CommandAsync("STAT"), StringComparison.Ordinal);
        Assert.Equal(uidl, await wire.MultiAsync("UIDL"));
        Assert.Equal("-ERR message 2 was deleted by another session", await wire.CommandAsync("RETR 2"));
        Assert.Contains("Subject: Test message 2", await wire.MultiAsync("RETR 3"));
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 1"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await wire.CommandAsync("DELE 2"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await wire.CommandAsync("QUIT"), StringComparison.Ordinal);

        var after = await server.InboxAsync();
        Assert.Equal(2, after.Count);
        Assert.Equal(before[2].Uid, after[0].Uid);
        Assert.True(after[1].Uid > before[2].Uid);

        // A new session sees the new numbering: 2 messages, the arrival's UIDL new, the survivor's unchanged.
        await using var next = await Pop3Wire.ConnectAsync(server.Pop3);
        await next.LoginAsync(server.User, Pop3TestServer.Password);
        Assert.Equal([$"1 {before[2].EmailId}", $"2 {after[1].EmailId}"], await next.MultiAsync("UIDL"));
    }
}
