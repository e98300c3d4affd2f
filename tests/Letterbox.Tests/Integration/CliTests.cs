using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Letterbox.Tests.Integration;

/// <summary>The command line as an admin uses it: serve, deliver, cert show, store check — as separate processes.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Serve_dev_creates_a_demo_account_prints_settings_and_serves_it()
    {
        using var data = new TempDirectory();
        var dir = Path.Combine(data.Path, "data");
        await using var server = await ServerProcess.StartAsync(dir, dev: true);
        var output = string.Join("\n", server.Output);
        Assert.Contains("demo@example.test", output, StringComparison.Ordinal);
        Assert.Contains("SSL/TLS", output, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", output, StringComparison.Ordinal);
        Assert.Matches("SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}", output);
        var password = server.Output.Select(l => l.Trim()).First(l => l.StartsWith("Password: ", StringComparison.Ordinal))["Password: ".Length..];

        using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.Listeners["imaps"].Port, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("demo@example.test", password);
        Assert.NotNull(client.Inbox);
        await client.DisconnectAsync(true);
        Assert.Equal(0, await server.StopAsync());

        var show = await ExternalProcess.LetterboxAsync(["cert", "show", "--data-dir", dir, "--dev"]);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("covers localhost: yes", show.Output, StringComparison.Ordinal);
        Assert.Contains(server.Output.First(l => l.Contains("fingerprint", StringComparison.Ordinal)).Split(": ")[1], show.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad_name.example.org", "_")]
    [InlineData("mail", "fully")]
    [InlineData("-mail.example.org", "hyphen")]
    public async Task Serve_refuses_a_bad_host_name_with_the_reason(string hostName, string reasonFragment)
    {
        using var data = new TempDirectory();
        var result = await ExternalProcess.LetterboxAsync(["serve", "--data-dir", data.Path, "--hostname", hostName]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(reasonFragment, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Deliver_stores_the_message_and_uses_sysexits()
    {
        using var data = new TempDirectory();
        var dir = data.Path;
        Assert.Equal(0, (await ExternalProcess.LetterboxAsync(["domain", "add", "example.org", "--data-dir", dir])).ExitCode);
        var add = await ExternalProcess.LetterboxAsync(["user", "add", "bob@example.org", "--password-stdin", "--data-dir", dir], TestServer.Password + "\n");
        Assert.True(add.ExitCode == 0, add.ToString());

        var message = ExternalProcess.Utf8(TestMessages.Create(4, "bob@example.org"));
        var ok = await ExternalProcess.LetterboxAsync(["deliver", "--to", "Bob@EXAMPLE.org", "--data-dir", dir], message);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var folder = await ExternalProcess.LetterboxAsync(["deliver", "--to", "bob@example.org", "--mailbox", "Archive", "--data-dir", dir], message);
        Assert.Equal(0, folder.ExitCode);
        var unknown = await ExternalProcess.LetterboxAsync(["deliver", "--to", "nobody@example.org", "--data-dir", dir], message);
        Assert.Equal(67, unknown.ExitCode);
        Assert.Contains("nobody@example.org", unknown.Error, StringComparison.Ordinal);
        var missingData = await ExternalProcess.LetterboxAsync(["deliver", "--to", "bob@example.org", "--data-dir", Path.Combine(dir, "nope")], message);
        Assert.Equal(75, missingData.ExitCode);

        await using var server = await ServerProcess.StartAsync(dir);
        using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.Listeners["imaps"].Port, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("bob@example.org", TestServer.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, client.Inbox.Count);
        var stored = await client.Inbox.GetStreamAsync(0, "");
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(message, ExternalProcess.Utf8(copy.ToArray()));
        var archive = await client.GetFolderAsync("Archive");
        await archive.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, archive.Count);

        // A message delivered by another process while a client IDLEs is pushed to it.
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var arrived = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.CountChanged += (_, _) => arrived.TrySetResult(client.Inbox.Count);
        using var done = new CancellationTokenSource();
        var idle = client.IdleAsync(done.Token);
        var deliver = await ExternalProcess.LetterboxAsync(["deliver", "--to", "bob@example.org", "--data-dir", dir], message);
        Assert.Equal(0, deliver.ExitCode);
        Assert.Equal(2, await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await done.CancelAsync();
        await idle;
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Account_commands_report_mistakes_in_one_line()
    {
        using var data = new TempDirectory();
        var dir = data.Path;
        var noDomain = await ExternalProcess.LetterboxAsync(["user", "add", "carol@example.org", "--password-stdin", "--data-dir", dir], TestServer.Password + "\n");
        Assert.NotEqual(0, noDomain.ExitCode);
        Assert.Contains("example.org", noDomain.Error, StringComparison.Ordinal);
        Assert.Single(noDomain.Error.Trim().Split('\n'));
        var badAddress = await ExternalProcess.LetterboxAsync(["domain", "add", "not a domain", "--data-dir", dir]);
        Assert.NotEqual(0, badAddress.ExitCode);
        Assert.StartsWith("error: ", badAddress.Error, StringComparison.Ordinal);
    }
}
