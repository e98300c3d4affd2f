using System.Text;
using MailKit;
using MailKit.Net.Imap;

namespace Letterbox.Tests.Integration;

/// <summary>curl as an IMAP client: STARTTLS with --ssl-reqd, and imaps://.</summary>
public sealed class CurlTests
{
    private static List<string> Args(TestServer s, params string[] rest)
        => ["--silent", "--show-error", "--max-time", "60", "--cacert", s.CertificatePath, "--user", $"{s.User}:{TestServer.Password}", .. rest];

    [Fact]
    public async Task Lists_selects_appends_and_fetches_over_starttls_and_imaps()
    {
        await using var server = await TestServer.StartAsync();
        var list = await ExternalProcess.RunAsync("curl", Args(server, "--ssl-reqd", $"imap://localhost:{server.ImapPort}/"));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("INBOX", list.Output, StringComparison.Ordinal);
        Assert.Contains("\\Sent", list.Output, StringComparison.Ordinal);
        Assert.Contains("Archive", list.Output, StringComparison.Ordinal);

        var file = Path.Combine(server.Data.Path, "upload.eml");
        var message = TestMessages.Create(3);
        await File.WriteAllBytesAsync(file, message);
        var append = await ExternalProcess.RunAsync("curl", Args(server, "--upload-file", file, $"imaps://localhost:{server.ImapsPort}/INBOX"));
        Assert.True(append.ExitCode == 0, append.ToString());

        var examine = await ExternalProcess.RunAsync("curl", Args(server, "--ssl-reqd", "--request", "EXAMINE INBOX", $"imap://localhost:{server.ImapPort}/"));
        Assert.True(examine.ExitCode == 0, examine.ToString());
        Assert.Contains("1 EXISTS", examine.Output, StringComparison.Ordinal);

        var fetch = await ExternalProcess.RunAsync("curl", Args(server, $"imaps://localhost:{server.ImapsPort}/INBOX;UID=1"));
        Assert.True(fetch.ExitCode == 0, fetch.ToString());
        Assert.Equal(Encoding.UTF8.GetString(message), fetch.Output);

        var search = await ExternalProcess.RunAsync("curl", Args(server, $"imaps://localhost:{server.ImapsPort}/INBOX?SUBJECT%20%22Test%20message%203%22"));
        Assert.True(search.ExitCode == 0, search.ToString());
        Assert.Contains("SEARCH 1", search.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_server_keeps_answering()
    {
        await using var server = await TestServer.StartAsync();
        var bad = await ExternalProcess.RunAsync("curl", ["--silent", "--show-error", "--cacert", server.CertificatePath, "--user", $"{server.User}:wrong-password",
            $"imaps://localhost:{server.ImapsPort}/"]);
        Assert.Equal(67, bad.ExitCode); // CURLE_LOGIN_DENIED
        var good = await ExternalProcess.RunAsync("curl", Args(server, $"imaps://localhost:{server.ImapsPort}/"));
        Assert.True(good.ExitCode == 0, good.ToString());
    }
}
