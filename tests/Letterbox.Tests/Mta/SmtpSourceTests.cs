using Letterbox.Core.Options;
using Letterbox.Tests.Integration;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Xunit.Abstractions;

namespace Letterbox.Tests.Mta;

/// <summary>
/// Load from Postfix's own test client, smtp-source (Debian package postfix): every message it
/// sent (it stops at the first reply that is not 2xx, and exits non-zero) is in the store.
/// </summary>
public sealed class SmtpSourceTests(ITestOutputHelper output)
{
    private const string SmtpSource = "/usr/sbin/smtp-source";

    [Fact]
    public async Task Two_thousand_messages_over_eight_smtp_sessions_are_all_stored()
    {
        await using var server = await TestServer.StartAsync();
        var result = await RunSmtpSourceAsync(["-s", "8", "-m", "2000", "-S", "load", "-M", "client.sender.test",
            "-f", "sender@sender.test", "-t", server.User, $"127.0.0.1:{server.Smtp.Port}"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2000, await InboxCountAsync(server));
    }

    [Fact]
    public async Task Five_hundred_messages_over_lmtp_on_the_unix_socket_with_reused_connections_are_all_stored()
    {
        await using var server = await TestServer.StartAsync(o =>
            o.Listeners["lmtp-unix"] = new ListenerOptions { Protocol = ListenerProtocol.Lmtp, Path = "lmtp.sock", Security = ListenerSecurity.None });
        // -L: speak LMTP; -d: several messages per connection, as Postfix's lmtp client does with connection caching.
        var result = await RunSmtpSourceAsync(["-L", "-d", "-s", "4", "-m", "500", "-M", "mx.sender.test",
            "-f", "sender@sender.test", "-t", server.User, "unix:" + server.Server.SocketPath("lmtp-unix")]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(500, await InboxCountAsync(server));
    }

    private async Task<ProcessResult> RunSmtpSourceAsync(string[] arguments)
    {
        if (!File.Exists(SmtpSource))
        {
            throw new InvalidOperationException($"{SmtpSource} is not installed (Debian package postfix); ./test.sh installs it");
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await ExternalProcess.RunAsync(SmtpSource, arguments, timeoutSeconds: 600);
        // A figure for the reader, not a check: performance is measured in bench/.
        output.WriteLine($"smtp-source {string.Join(' ', arguments)}: exit {result.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    /// <summary>IMAP STATUS (MESSAGES) on INBOX, as a client would count.</summary>
    private static async Task<int> InboxCountAsync(TestServer server)
    {
        using var imap = new ImapClient();
        await imap.ConnectAsync(server.Imap.Address.ToString(), server.Imap.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(server.User, TestServer.Password);
        await imap.Inbox.StatusAsync(StatusItems.Count);
        var count = imap.Inbox.Count;
        await imap.DisconnectAsync(quit: true);
        return count;
    }
}
