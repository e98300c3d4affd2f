using System.Diagnostics;
using Letterbox.Core.Options;
using Letterbox.Tests.Integration;
using Letterbox.Tests.Smtp;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Letterbox.Tests.Mta;

/// <summary>
/// Postfix for real (issue 4): a private Postfix instance receives a message on its smtpd and
/// relays it over LMTP — TCP, then the Unix socket — to Letterbox; the message is read back over
/// IMAP with MailKit.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostfixRelayTests
{
    private const string Domain = "example.org";

    [RootFact]
    public async Task Mail_submitted_to_Postfix_reaches_INBOX_over_lmtp_on_tcp()
    {
        await using var server = await TestServer.StartAsync();
        await RelayAndReadAsync(server, $"lmtp:inet:127.0.0.1:{server.Lmtp.Port}");
    }

    [RootFact]
    public async Task An_unknown_user_is_refused_over_lmtp_and_Postfix_bounces_it()
    {
        // Postfix knows only the domain (virtual_mailbox_domains), so its smtpd accepts any local part;
        // Letterbox refuses the unknown one at RCPT and Postfix returns the message to its sender.
        await using var server = await TestServer.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync(Domain, $"lmtp:inet:127.0.0.1:{server.Lmtp.Port}");
        using (var message = new MimeMessage())
        {
            message.From.Add(new MailboxAddress("Sender", "someone@sender.test"));
            message.To.Add(new MailboxAddress("Nobody", "nobody@" + Domain));
            message.Subject = "to nobody";
            message.Body = new TextPart("plain") { Text = "no such user\r\n" };
            using var smtp = new MailKit.Net.Smtp.SmtpClient();
            await smtp.ConnectAsync("127.0.0.1", postfix.SmtpPort, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }
        var deadline = Stopwatch.StartNew();
        while (!postfix.ReadLog().Split('\n').Any(l => l.Contains("to=<nobody@example.org>", StringComparison.Ordinal) && l.Contains("status=bounced", StringComparison.Ordinal)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "Postfix did not bounce the message in 60 s\n" + postfix.ReadLog());
            await Task.Delay(100);
        }
        var bounced = postfix.ReadLog().Split('\n').First(l => l.Contains("to=<nobody@example.org>", StringComparison.Ordinal) && l.Contains("status=bounced", StringComparison.Ordinal));
        Assert.Contains("550 5.1.1", bounced, StringComparison.Ordinal);
        Assert.Empty(await server.MessagesAsync(server.User));
    }

    [RootFact]
    public async Task Mail_submitted_to_Postfix_reaches_INBOX_over_lmtp_on_the_unix_socket()
    {
        // The documented set-up: the socket's directory belongs to group postfix with the setgid bit,
        // so the socket (mode 0660) is group postfix and Postfix's lmtp client (user postfix) may connect.
        await using var server = await TestServer.StartAsync(o =>
        {
            var run = Path.Combine(o.DataDirectory, "run");
            Directory.CreateDirectory(run);
            RunSync("chgrp", "postfix", run);
            File.SetUnixFileMode(run, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup);
            o.Listeners["lmtp-unix"] = new ListenerOptions { Protocol = ListenerProtocol.Lmtp, Path = "run/lmtp.sock", SocketMode = "0660", Security = ListenerSecurity.None };
        });
        var socket = server.Server.SocketPath("lmtp-unix");
        var stat = await ExternalProcess.RunAsync("stat", ["-c", "%A %G", socket]);
        Assert.Equal("srw-rw---- postfix", stat.Output.Trim());
        await RelayAndReadAsync(server, $"lmtp:unix:{socket}");
    }

    private static async Task RelayAndReadAsync(TestServer server, string transport)
    {
        await using var postfix = await PostfixInstance.StartAsync(Domain, transport);
        var messageId = $"{Guid.NewGuid():N}@sender.test";
        using (var message = new MimeMessage())
        {
            message.From.Add(new MailboxAddress("Sender", "someone@sender.test"));
            message.To.Add(new MailboxAddress("Alice", server.User));
            message.Subject = "through Postfix";
            message.MessageId = messageId;
            message.Body = new TextPart("plain") { Text = "relayed by Postfix over LMTP\r\n" };
            using var smtp = new MailKit.Net.Smtp.SmtpClient();
            await smtp.ConnectAsync("127.0.0.1", postfix.SmtpPort, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }

        using var imap = new ImapClient();
        await imap.ConnectAsync(server.Imap.Address.ToString(), server.Imap.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(server.User, TestServer.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var uid = await WaitForMessageAsync(imap, messageId, postfix);

        var received = await imap.Inbox.GetMessageAsync(uid);
        Assert.Equal("through Postfix", received.Subject);
        Assert.Equal("relayed by Postfix over LMTP", received.TextBody?.TrimEnd());
        Assert.Equal(server.User, received.Headers["Delivered-To"]);
        var trace = received.Headers.Where(h => h.Id == HeaderId.Received).Select(h => h.Value).ToList();
        Assert.Contains(trace, h => h.Contains("(Letterbox) with LMTP", StringComparison.Ordinal));
        Assert.Contains(trace, h => h.Contains("by mx.postfix.test (Postfix)", StringComparison.Ordinal));

        // Postfix logged the LMTP hand-off as sent, and its queue is empty.
        Assert.Contains("status=sent (250", postfix.ReadLog(), StringComparison.Ordinal);
        Assert.Contains("Mail queue is empty", await postfix.QueueAsync(), StringComparison.Ordinal);
    }

    /// <summary>Polls the mailbox until the message is there (60 s deadline); a failure shows Postfix's log.</summary>
    private static async Task<UniqueId> WaitForMessageAsync(ImapClient imap, string messageId, PostfixInstance postfix)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await imap.NoOpAsync();
            var found = await imap.Inbox.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId));
            if (found.Count > 0)
            {
                Assert.Single(found);
                return found[0];
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"the message did not arrive in 60 s\n--- postqueue -p ---\n{await postfix.QueueAsync()}\n--- maillog ---\n{postfix.ReadLog()}");
            }
            await Task.Delay(100);
        }
    }

    private static void RunSync(string command, params string[] arguments)
    {
        using var process = Process.Start(command, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
