using System.Net;
using System.Net.Sockets;
using Letterbox.Core.Options;
using Letterbox.Hosting;
using Letterbox.Net;
using Letterbox.Tests.Integration;
using Letterbox.Tests.Smtp;

namespace Letterbox.Tests.Mta;

/// <summary>LMTP (and any protocol) on a Unix domain socket: real sockets, a real server, the real store.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnixSocketListenerTests
{
    private static Action<LetterboxOptions> UnixLmtp(string path = "lmtp.sock", string mode = "0660", Action<LetterboxOptions>? more = null) => o =>
    {
        o.Listeners["lmtp-unix"] = new ListenerOptions { Protocol = ListenerProtocol.Lmtp, Path = path, SocketMode = mode, Security = ListenerSecurity.None };
        more?.Invoke(o);
    };

    [Fact]
    public async Task Lmtp_over_the_unix_socket_delivers_with_one_reply_per_recipient()
    {
        await using var server = await SmtpServers.StartAsync(UnixLmtp());
        await server.AddUserAsync("bob@example.org");
        var path = server.Server.SocketPath("lmtp-unix");
        Assert.Equal(Path.Combine(server.Data.Path, "lmtp.sock"), path);

        await using var wire = await MtaWire.ConnectUnixAsync(path);
        Assert.StartsWith("220 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("LHLO postfix.example.org"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("MAIL FROM:<sender@elsewhere.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("RCPT TO:<alice@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("RCPT TO:<bob@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("550 ", await wire.CommandAsync("RCPT TO:<nobody@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await wire.CommandAsync("DATA"), StringComparison.Ordinal);
        await wire.SendAsync("Subject: over the unix socket\r\nMessage-Id: <unix-1@elsewhere.example>\r\n\r\nhello\r\n.\r\n");
        // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
        Assert.StartsWith("250 ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.StartsWith("250 ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.StartsWith("221 ", await wire.CommandAsync("QUIT"), StringComparison.Ordinal);

        Assert.Contains(await server.MessagesAsync("alice@example.org"), m => m.Contains("Message-Id: <unix-1@elsewhere.example>", StringComparison.Ordinal));
        Assert.Contains(await server.MessagesAsync("bob@example.org"), m => m.Contains("Message-Id: <unix-1@elsewhere.example>", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0660", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite)]
    [InlineData("600", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("0666", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task The_socket_file_gets_the_configured_mode(string configured, UnixFileMode expected)
    {
        await using var server = await SmtpServers.StartAsync(UnixLmtp(mode: configured));
        Assert.Equal(expected, File.GetUnixFileMode(server.Server.SocketPath("lmtp-unix")));
    }

    [Theory]
    [InlineData("rw-rw----")]
    [InlineData("0999")]
    [InlineData("17777")]
    [InlineData("")]
    public async Task A_mode_that_is_not_octal_is_a_configuration_error(string configured)
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => SmtpServers.StartAsync(UnixLmtp(mode: configured)));
        Assert.Contains("Listeners:lmtp-unix:SocketMode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absolute_path_is_used_as_given_and_the_file_is_removed_at_stop()
    {
        using var elsewhere = new TempDirectory();
        var path = Path.Combine(elsewhere.Path, "run", "letterbox-lmtp.sock");
        var server = await SmtpServers.StartAsync(UnixLmtp(path: path));
        try
        {
            Assert.Equal(path, server.Server.SocketPath("lmtp-unix"));
            Assert.True(File.Exists(path));
            await using (var wire = await MtaWire.ConnectUnixAsync(path))
            {
                Assert.StartsWith("220 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_stale_socket_file_left_by_a_killed_server_is_replaced()
    {
        using var data = new TempDirectory();
        var path = Path.Combine(data.Path, "stale.sock");
        // A process that binds and dies leaves the file behind, as a SIGKILLed server does (.NET's own
        // Socket.Dispose unlinks it, so another process plays the dead server).
        var dead = await ExternalProcess.RunAsync("python3", ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()", path]);
        Assert.Equal(0, dead.ExitCode);
        Assert.True(File.Exists(path));
        await using var server = await SmtpServers.StartAsync(UnixLmtp(path: path));
        await using var wire = await MtaWire.ConnectUnixAsync(path);
        Assert.StartsWith("220 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_another_program_listens_on_is_left_alone()
    {
        using var data = new TempDirectory();
        var path = Path.Combine(data.Path, "busy.sock");
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(path));
        other.Listen();

        var e = await Assert.ThrowsAsync<ListenerException>(() => SmtpServers.StartAsync(UnixLmtp(path: path)));
        Assert.Contains("another program is already listening", e.Message, StringComparison.Ordinal);

        // The other program still has its socket: a client reaches it.
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        using var accepted = await other.AcceptAsync();
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task A_file_with_content_in_the_way_is_not_deleted()
    {
        using var data = new TempDirectory();
        var path = Path.Combine(data.Path, "precious.sock");
        await File.WriteAllTextAsync(path, "not a socket");
        var e = await Assert.ThrowsAsync<ListenerException>(() => SmtpServers.StartAsync(UnixLmtp(path: path)));
        Assert.Contains("not a socket", e.Message, StringComparison.Ordinal);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_directory_that_cannot_be_created_stops_the_start_with_the_reason()
    {
        using var data = new TempDirectory();
        var blocker = Path.Combine(data.Path, "not-a-directory");
        await File.WriteAllTextAsync(blocker, "x");
        var e = await Assert.ThrowsAsync<ListenerException>(() => SmtpServers.StartAsync(UnixLmtp(path: Path.Combine(blocker, "lmtp.sock"))));
        Assert.Contains($"cannot listen on unix:{blocker}/lmtp.sock for lmtp-unix", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_too_long_for_a_unix_socket_is_refused_with_the_reason()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => SmtpServers.StartAsync(UnixLmtp(path: new string('x', 120) + ".sock")));
        Assert.Contains("longer than 107 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_per_address_limit_does_not_apply_to_unix_peers_but_does_to_tcp()
    {
        await using var server = await SmtpServers.StartAsync(UnixLmtp(more: o => o.Limits.MaxConnectionsPerIp = 1));
        var path = server.Server.SocketPath("lmtp-unix");
        var unixPeers = new List<MtaWire>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var wire = await MtaWire.ConnectUnixAsync(path);
                unixPeers.Add(wire);
                Assert.StartsWith("220 ", await wire.ReadLineAsync(), StringComparison.Ordinal);
            }
            // The limit is live for TCP: one connection from 127.0.0.1 is allowed, the second refused.
            await using var first = await MtaWire.ConnectAsync(server.Lmtp);
            Assert.StartsWith("220 ", await first.ReadLineAsync(), StringComparison.Ordinal);
            await using var second = await MtaWire.ConnectAsync(server.Lmtp);
            var refused = await second.ReadLineAsync();
            Assert.True(refused is null || refused.StartsWith("421 ", StringComparison.Ordinal), refused);
        }
        finally
        {
            foreach (var wire in unixPeers)
            {
                await wire.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_total_limit_still_applies_to_unix_peers()
    {
        await using var server = await SmtpServers.StartAsync(UnixLmtp(more: o => o.Limits.MaxConnections = 2));
        var path = server.Server.SocketPath("lmtp-unix");
        await using var a = await MtaWire.ConnectUnixAsync(path);
        Assert.StartsWith("220 ", await a.ReadLineAsync(), StringComparison.Ordinal);
        await using var b = await MtaWire.ConnectUnixAsync(path);
        Assert.StartsWith("220 ", await b.ReadLineAsync(), StringComparison.Ordinal);
        await using var c = await MtaWire.ConnectUnixAsync(path);
        var refused = await c.ReadLineAsync();
        Assert.True(refused is null || refused.StartsWith("421 ", StringComparison.Ordinal), refused);
    }

    [Theory]
    [InlineData(true, "a1 OK")]
    [InlineData(false, "a1 NO")]
    public async Task Plaintext_login_policy_treats_a_unix_peer_as_local(bool allowOnLoopback, string expected)
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Listeners["imap-unix"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Path = "imap.sock", Security = ListenerSecurity.None };
            o.Auth.AllowPlaintextOnLoopback = allowOnLoopback;
        });
        await using var wire = await MtaWire.ConnectUnixAsync(server.Server.SocketPath("imap-unix"));
        Assert.StartsWith("* OK", await wire.ReadLineAsync(), StringComparison.Ordinal);
        await wire.SendAsync($"a1 LOGIN \"{server.User}\" \"{TestServer.Password}\"\r\n");
        string? line;
        do
        {
            line = await wire.ReadLineAsync();
        }
        while (line is not null && line.StartsWith('*'));
        Assert.NotNull(line);
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limiter_counts_a_null_address_against_the_total_only()
    {
        var limiter = new ConnectionLimiter(maxPerAddress: 1, maxTotal: 3);
        Assert.True(limiter.TryAcquire(null));
        Assert.True(limiter.TryAcquire(null));
        Assert.True(limiter.TryAcquire(IPAddress.Loopback));
        Assert.False(limiter.TryAcquire(null));
        limiter.Release(null);
        Assert.False(limiter.TryAcquire(IPAddress.Loopback));
        Assert.True(limiter.TryAcquire(null));
        Assert.Equal(3, limiter.Total);
    }
}
