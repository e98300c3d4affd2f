using Letterbox.Store.Embedded;
using Letterbox.Tests.Integration;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Letterbox.Tests.Smtp;

/// <summary>Quotas (Accounts:DefaultQuotaBytes): 552 5.2.2 after the data for a message that does not fit, 452 4.2.2 at RCPT for a full mailbox, per recipient over LMTP.</summary>
public class QuotaTests
{
    private static string Body(int lines) => "Subject: q\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('q', 98) + "\r\n", lines));

    [Fact]
    public async Task One_recipient_over_quota_does_not_fail_the_others_over_lmtp()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Accounts.DefaultQuotaBytes = 2000);
        await server.AddUserAsync("carol@example.org");
        await using var wire = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("LHLO mx.example.org"), StringComparison.Ordinal);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.StartsWith("250 2.0.0 <alice@example.org> delivered", await wire.DataAsync(Body(15)), StringComparison.Ordinal);

        // alice has ~1.7 KB of 2 KB; carol has room.
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<carol@example.org>"));
        Assert.Equal("552 5.2.2 Message exceeds the recipient's quota", await wire.DataAsync(Body(5)));
        Assert.StartsWith("250 2.0.0 <carol@example.org> delivered", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync(server.User));
        Assert.Single(await server.MessagesAsync("carol@example.org"));

        // The admin lowers the quota: alice is now full and is refused for now at RCPT.
        ((EmbeddedMailStore)server.Server.Store).QuotaBytes = 1000;
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("452 4.2.2 Mailbox full, try again later", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<carol@example.org>"));
    }

    [Fact]
    public async Task Smtp_gets_552_after_data_and_imap_append_gets_overquota()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Accounts.DefaultQuotaBytes = 1500);
        await using (var wire = await SmtpWire.ConnectAsync(server.Smtp))
        {
            Assert.StartsWith("250 ", await wire.CommandAsync("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
            Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
            Assert.Equal("552 5.2.2 Message exceeds the recipient's quota", await wire.DataAsync(Body(20)));
            Assert.Empty(await server.MessagesAsync(server.User));
        }
        using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(server.User, TestServer.Password);
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Body(20))));
        var refused = await Assert.ThrowsAsync<ImapCommandException>(() => client.Inbox.AppendAsync(message));
        Assert.Contains("quota", refused.ResponseText, StringComparison.OrdinalIgnoreCase);
        await client.Inbox.AppendAsync(MimeMessage.Load(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Body(2)))));
        await client.DisconnectAsync(true);
        Assert.Single(await server.MessagesAsync(server.User));
    }
}
