using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>
/// mutt, driven in batch: a pseudo-terminal from util-linux's <c>script</c>, keystrokes queued
/// with <c>push</c>. It opens INBOX over imaps, copies every message to an mbox file and quits.
/// </summary>
public sealed class MuttTests
{
    [Fact]
    public async Task Mutt_reads_the_inbox_over_imaps()
    {
        await using var server = await TestServer.StartAsync();
        using (var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(server.User, TestServer.Password);
            await client.Inbox.AppendAsync(Enumerable.Range(0, 6).Select(n => (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(TestMessages.Create(n))), MessageFlags.None)).ToList());
            await client.DisconnectAsync(true);
        }
        var mbox = Path.Combine(server.Data.Path, "copied.mbox");
        var rc = Path.Combine(server.Data.Path, "muttrc");
        await File.WriteAllTextAsync(rc, $"""
            set folder="imaps://localhost:{server.ImapsPort}/"
            set spoolfile="imaps://localhost:{server.ImapsPort}/INBOX"
            set imap_user="{server.User}"
            set imap_pass="{TestServer.Password}"
            set ssl_force_tls=yes
            set ssl_ca_certificates_file="{server.CertificatePath}"
            set certificate_file="{server.Data.Path}/mutt-certs"
            set header_cache="" message_cachedir=""
            set confirmappend=no confirmcreate=no quit=yes mbox_type=mbox
            set sort=date-sent
            push "<tag-pattern>~A<enter><tag-prefix><copy-message>{mbox}<enter><quit>"

            """);
        var command = $"mutt -n -F '{rc}'";
        var result = await ExternalProcess.RunAsync("script", ["-qec", command, "/dev/null"],
            environment: new Dictionary<string, string> { ["TERM"] = "xterm", ["HOME"] = server.Data.Path, ["COLUMNS"] = "120", ["LINES"] = "40" }, timeoutSeconds: 120);
        Assert.True(File.Exists(mbox), "mutt wrote no mbox: " + result);
        var text = await File.ReadAllTextAsync(mbox);
        for (var n = 0; n < 6; n++)
        {
            Assert.Contains($"Message-ID: <test-{n}@example.net>", text, StringComparison.Ordinal);
        }
    }
}
