using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>
/// Server-wide limits crossed over real sockets. After each, the server still answers and the
/// message stored before is intact.
/// </summary>
public sealed class LimitsTests
{
    private static async Task<byte[]> StoreOneAsync(TestServer server)
    {
        var bytes = TestMessages.Create(3);
        using var client = await ConnectAsync(server);
        await client.Inbox.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(bytes)), MessageFlags.None));
        await client.DisconnectAsync(true);
        return bytes;
    }

    private static async Task<ImapClient> ConnectAsync(TestServer server)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(server.User, TestServer.Password);
        return client;
    }

    private static async Task AssertIntactAsync(TestServer server, byte[] original)
    {
        using var client = await ConnectAsync(server);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, client.Inbox.Count);
        using var stream = await client.Inbox.GetStreamAsync(0, "");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(original.Length, copy.Length);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connections_per_address_are_limited_and_freed_on_close()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxConnectionsPerIp = 3);
        var original = await StoreOneAsync(server);
        var open = new List<RawImapClient>();
        for (var i = 0; i < 3; i++)
        {
            var c = await RawImapClient.ConnectAsync(server.Imap);
            Assert.StartsWith("* OK", await c.ReadLineAsync());
            open.Add(c);
        }
        await using (var fourth = await RawImapClient.ConnectAsync(server.Imap))
        {
            var line = await fourth.ReadLineAsync();
            Assert.StartsWith("* BYE", line);
            Assert.Null(await fourth.ReadLineAsync());
        }
        await open[0].SendAsync("a LOGOUT\r\n");
        await open[0].ReadUntilTaggedAsync("a");
        Assert.Null(await open[0].ReadLineAsync());
        await open[0].DisposeAsync();
        // The slot is released when the session ends; a new connection is served.
        await AssertEventuallyServedAsync(server);
        foreach (var c in open.Skip(1))
        {
            await c.DisposeAsync();
        }
        await AssertIntactAsync(server, original);
    }

    private static async Task AssertEventuallyServedAsync(TestServer server)
    {
        // The server releases the slot after the closing handshake; a refused attempt is retried
        // only on that evidence (a BYE), never after a sleep.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var c = await RawImapClient.ConnectAsync(server.Imap);
            var line = await c.ReadLineAsync();
            if (line!.StartsWith("* OK", StringComparison.Ordinal))
            {
                return;
            }
        }
        Assert.Fail("a connection slot was never released");
    }

    [Fact]
    public async Task Idle_client_before_login_is_logged_out()
    {
        await using var server = await TestServer.StartAsync(o => o.Timeouts.PreAuthIdleSeconds = 1);
        await using var c = await RawImapClient.ConnectAsync(server.Imap);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        var bye = await c.ReadLineAsync();
        Assert.StartsWith("* BYE", bye);
        Assert.Null(await c.ReadLineAsync());
    }

    [Fact]
    public async Task A_thousand_pipelined_commands_are_all_answered_in_order()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxPipelinedCommands = 16);
        var original = await StoreOneAsync(server);
        await using var c = await RawImapClient.ConnectAsync(server.Imap);
        await c.ReadLineAsync();
        var batch = new StringBuilder();
        batch.Append($"l LOGIN {server.User} \"{TestServer.Password}\"\r\ns SELECT INBOX\r\n");
        for (var i = 0; i < 1000; i++)
        {
            batch.Append("n").Append(i).Append(" FETCH 1 (UID FLAGS)\r\n");
        }
        await c.SendAsync(batch.ToString());
        var lines = await c.ReadUntilTaggedAsync("n999");
        var tagged = lines.Where(l => l.StartsWith('n')).ToList();
        Assert.Equal(1000, tagged.Count);
        Assert.All(tagged, (l, i) => Assert.StartsWith($"n{i} OK", l));
        await AssertIntactAsync(server, original);
    }

    [Fact]
    public async Task Overlong_line_gets_bad_and_the_session_continues()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxLineLength = 1024);
        var original = await StoreOneAsync(server);
        await using var c = await RawImapClient.ConnectAsync(server.Imap);
        await c.ReadLineAsync();
        await c.SendAsync("a NOOP " + new string('x', 5000) + "\r\nb NOOP\r\n");
        var lines = await c.ReadUntilTaggedAsync("b");
        Assert.Contains(lines, l => l.Contains("BAD", StringComparison.Ordinal));
        Assert.StartsWith("b OK", lines[^1]);
        await AssertIntactAsync(server, original);
    }

    [Fact]
    public async Task Oversized_append_is_refused_before_the_continuation()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxMessageSize = 10_000);
        var original = await StoreOneAsync(server);
        await using var c = await RawImapClient.ConnectAsync(server.Imap);
        await c.ReadLineAsync();
        await c.SendAsync($"l LOGIN {server.User} \"{TestServer.Password}\"\r\n");
        await c.ReadUntilTaggedAsync("l");
        await c.SendAsync("a APPEND INBOX {20000}\r\n");
        var reply = await c.ReadLineAsync();
        Assert.StartsWith("a NO", reply);
        Assert.Contains("TOOBIG", reply, StringComparison.Ordinal);
        await c.SendAsync("b NOOP\r\n");
        Assert.StartsWith("b OK", (await c.ReadUntilTaggedAsync("b"))[^1]);
        await AssertIntactAsync(server, original);
    }

    [Fact]
    public async Task Failed_logins_end_the_connection_and_the_right_password_still_works()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        await using var c = await RawImapClient.ConnectAsync(server.Imap);
        await c.ReadLineAsync();
        var rest = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await c.SendAsync($"a{i} LOGIN {server.User} wrong{i}\r\n");
            var lines = await c.ReadUntilTaggedAsync($"a{i}");
            Assert.Contains("AUTHENTICATIONFAILED", lines[^1], StringComparison.Ordinal);
            rest.AddRange(lines);
        }
        while (await c.ReadLineAsync() is { } line)
        {
            rest.Add(line);
        }
        Assert.Contains(rest, l => l.StartsWith("* BYE", StringComparison.Ordinal));
        using var ok = await ConnectAsync(server);
        Assert.True(ok.IsAuthenticated);
    }
}
