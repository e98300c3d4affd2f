using System.Text;
using Letterbox.Tests.Integration;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MimeKit;

namespace Letterbox.Tests.Smtp;

/// <summary>LMTP (RFC 2033) over a real socket, and mail received over SMTP/LMTP read back with MailKit over IMAP.</summary>
public class LmtpTests
{
    private const string Message = "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: over lmtp\r\n\r\nHello\r\n";

    [Fact]
    public async Task Lhlo_and_one_reply_per_recipient_after_data()
    {
        await using var server = await SmtpServers.StartAsync();
        await server.AddUserAsync("carol@example.org");
        await using var wire = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.Equal("220 localhost LMTP Letterbox", wire.Greeting);
        Assert.Equal("500 5.5.2 Command not recognized", await wire.CommandAsync("EHLO mx.example.org"));
        await wire.SendAsync("LHLO mx.example.org\r\n");
        var lines = await wire.ReadReplyAsync();
        Assert.Contains("250-PIPELINING", lines);
        Assert.Contains(lines, l => l[4..] == "ENHANCEDSTATUSCODES");
        Assert.DoesNotContain(lines, l => l.EndsWith("STARTTLS", StringComparison.Ordinal));
        Assert.Equal("454 4.7.0 TLS not available", await wire.CommandAsync("STARTTLS"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("550 5.1.1 No such user here", await wire.CommandAsync("RCPT TO:<nobody@example.org>"));
        Assert.Equal("550 5.1.2 Domain not hosted here", await wire.CommandAsync("RCPT TO:<someone@example.com>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<carol@example.org>"));
        Assert.StartsWith("354 ", await wire.CommandAsync("DATA"), StringComparison.Ordinal);
        await wire.SendAsync(Message + ".\r\n");
        Assert.Matches("^250 2.0.0 <alice@example.org> delivered as [0-9a-f]{16}$", (await wire.ReadReplyAsync())[^1]);
        Assert.Matches("^250 2.0.0 <carol@example.org> delivered as [0-9a-f]{16}$", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("221 2.0.0 Bye", await wire.CommandAsync("QUIT"));
        var alice = Assert.Single(await server.MessagesAsync(server.User));
        Assert.StartsWith("Return-Path: <bob@example.net>\r\nDelivered-To: alice@example.org\r\nReceived: from mx.example.org ([127.0.0.1])\r\n\tby localhost (Letterbox) with LMTP id ", alice, StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync("carol@example.org"));
    }

    [Fact]
    public async Task An_oversized_message_gets_552_for_every_recipient()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Limits.MaxMessageSize = 200);
        await server.AddUserAsync("carol@example.org");
        await using var wire = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("LHLO mx.example.org"), StringComparison.Ordinal);
        // RFC 2920 §3.1: four pipelined commands, four replies (MAIL, RCPT, RCPT, then 354 because a RCPT succeeded).
        await wire.SendAsync("MAIL FROM:<bob@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n");
        for (var i = 0; i < 4; i++)
        {
            Assert.StartsWith(i < 3 ? "250 " : "354 ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        }
        await wire.SendAsync(Message + new string('x', 300) + "\r\n.\r\n");
        Assert.Equal("552 5.3.4 Message too big", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("552 5.3.4 Message too big", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        Assert.Empty(await server.MessagesAsync(server.User));
    }

    [Fact]
    public async Task Pipelined_data_after_only_refused_recipients_gets_554_and_no_354()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("LHLO mx.example.org"), StringComparison.Ordinal);
        // RFC 2920 §3.1 / RFC 2033 §4.2: DATA after RCPTs that all failed is refused, so the client's text is read as commands.
        await wire.SendAsync("MAIL FROM:<bob@example.net>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\nNOOP\r\n");
        Assert.Equal("250 2.1.0 Sender ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("550 5.1.1 No such user here", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("554 5.5.1 No valid recipients", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 Ok", (await wire.ReadReplyAsync())[^1]);
    }

    [Fact]
    public async Task Mail_delivered_over_lmtp_is_pushed_to_an_idle_imap_client_and_readable()
    {
        await using var server = await SmtpServers.StartAsync();
        // The test server's certificate is self-signed.
        using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(server.User, TestServer.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(0, client.Inbox.Count);
        var arrived = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.CountChanged += (_, _) => arrived.TrySetResult(client.Inbox.Count);
        using var done = new CancellationTokenSource();
        var idle = client.IdleAsync(done.Token);

        await using (var wire = await SmtpWire.ConnectAsync(server.Lmtp))
        {
            Assert.StartsWith("250 ", await wire.CommandAsync("LHLO mx.example.org"), StringComparison.Ordinal);
            Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
            Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
            Assert.StartsWith("250 2.0.0 <alice@example.org> delivered", await wire.DataAsync(Message), StringComparison.Ordinal);
        }
        Assert.Equal(1, await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await done.CancelAsync();
        await idle;
        var message = await client.Inbox.GetMessageAsync(0);
        Assert.Equal("over lmtp", message.Subject);
        Assert.Equal("bob@example.net", message.Headers[HeaderId.ReturnPath]!.Trim('<', '>', ' '));
        Assert.Equal("Hello", message.TextBody!.TrimEnd());
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task MailKit_sends_over_smtp_with_starttls()
    {
        await using var server = await SmtpServers.StartAsync();
        using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, LocalDomain = "client.example.net" };
        await smtp.ConnectAsync("127.0.0.1", server.Smtp.Port, MailKit.Security.SecureSocketOptions.StartTls);
        Assert.True(smtp.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(smtp.Capabilities.HasFlag(SmtpCapabilities.EnhancedStatusCodes));
        Assert.True(smtp.Capabilities.HasFlag(SmtpCapabilities.UTF8));
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("bob@example.net"));
        message.To.Add(MailboxAddress.Parse("alice@example.org"));
        message.Subject = "Grüße über SMTP";
        var body = new BodyBuilder { TextBody = "Hallo Alice, schöne Grüße\n" };
        body.Attachments.Add("report.bin", Encoding.ASCII.GetBytes(new string('z', 5000)));
        message.Body = body.ToMessageBody();
        await smtp.SendAsync(message);
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(FormatOptions.Default, message, MailboxAddress.Parse("bob@example.net"), [MailboxAddress.Parse("nobody@example.org")]));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
        await smtp.DisconnectAsync(true);
        var stored = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(await server.MessagesAsync(server.User)))));
        Assert.Equal("Grüße über SMTP", stored.Subject);
        Assert.Equal("report.bin", Assert.Single(stored.Attachments).ContentDisposition!.FileName);
    }
}
