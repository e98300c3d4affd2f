using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>offlineimap3 (Python, its own IMAP code paths: UIDPLUS, flags, folder walk) syncs both ways.</summary>
public sealed class OfflineImapTests
{
    [Fact]
    public async Task Offlineimap_syncs_down_then_up()
    {
        await using var server = await TestServer.StartAsync();
        var work = server.Data.Path + "-offlineimap";
        Directory.CreateDirectory(work);
        try
        {
            using (var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
            {
                await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
                await client.AuthenticateAsync(server.User, TestServer.Password);
                await client.Inbox.AppendAsync(Enumerable.Range(0, 40).Select(n => (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(TestMessages.Create(n))), n % 3 == 0 ? MessageFlags.Seen : MessageFlags.None)).ToList());
                await client.DisconnectAsync(true);
            }
            var config = Path.Combine(work, "offlineimaprc");
            await File.WriteAllTextAsync(config, $"""
                [general]
                accounts = test
                metadata = {work}/meta
                ui = basic

                [Account test]
                localrepository = local
                remoterepository = remote

                [Repository local]
                type = Maildir
                localfolders = {work}/mail

                [Repository remote]
                type = IMAP
                remotehost = localhost
                remoteport = {server.ImapsPort}
                remoteuser = {server.User}
                remotepass = {TestServer.Password}
                ssl = yes
                sslcacertfile = {server.CertificatePath}
                createfolders = True

                """);
            var first = await ExternalProcess.RunAsync("offlineimap", ["-c", config, "-o"], timeoutSeconds: 300);
            Assert.True(first.ExitCode == 0, first.ToString());
            var inbox = Path.Combine(work, "mail", "INBOX");
            Assert.Equal(40, Directory.GetFiles(Path.Combine(inbox, "cur")).Length + Directory.GetFiles(Path.Combine(inbox, "new")).Length);
            Assert.Equal(14, Directory.GetFiles(Path.Combine(inbox, "cur")).Count(f => f.EndsWith(",S", StringComparison.Ordinal) || f.Contains(":2,S", StringComparison.Ordinal)));
            foreach (var folder in new[] { "Sent", "Drafts", "Trash", "Junk", "Archive" })
            {
                Assert.True(Directory.Exists(Path.Combine(work, "mail", folder)), $"{folder} was not synced");
            }

            // A message written locally goes up.
            await File.WriteAllBytesAsync(Path.Combine(inbox, "new", "1700000001.local.test"), TestMessages.Create(77));
            var second = await ExternalProcess.RunAsync("offlineimap", ["-c", config, "-o"], timeoutSeconds: 300);
            Assert.True(second.ExitCode == 0, second.ToString());
            using var check = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
            await check.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await check.AuthenticateAsync(server.User, TestServer.Password);
            await check.Inbox.OpenAsync(FolderAccess.ReadOnly);
            Assert.Equal(41, check.Inbox.Count);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
