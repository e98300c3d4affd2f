using System.Collections.Concurrent;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>
/// SIGKILL during concurrent APPENDs and deliveries: after a restart every acknowledged message
/// is present and byte-identical, and <c>letterbox store check</c> passes.
/// </summary>
public sealed class CrashSafetyTests
{
    [Fact]
    public async Task Every_acknowledged_message_survives_sigkill()
    {
        using var data = new TempDirectory();
        var dir = Path.Combine(data.Path, "data");
        Assert.Equal(0, (await ExternalProcess.LetterboxAsync(["domain", "add", "example.org", "--data-dir", dir])).ExitCode);
        Assert.Equal(0, (await ExternalProcess.LetterboxAsync(["user", "add", "alice@example.org", "--password-stdin", "--data-dir", dir], TestServer.Password + "\n")).ExitCode);

        var acknowledged = new ConcurrentDictionary<string, string>(); // Message-ID -> SHA-256 of the bytes
        var server = await ServerProcess.StartAsync(dir);
        var port = server.Listeners["imaps"].Port;
        using var stop = new CancellationTokenSource();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int KillAfter = 120;

        async Task AppendLoop(int worker)
        {
            using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
            await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync("alice@example.org", TestServer.Password);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var n = worker * 100_000 + i;
                var bytes = TestMessages.Create(n);
                using var message = MimeMessage.Load(new MemoryStream(bytes));
                try
                {
                    await client.Inbox.AppendAsync(new AppendRequest(message, MessageFlags.None));
                }
                catch (Exception e) when (e is IOException or ImapProtocolException or ServiceNotConnectedException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    return; // the server died mid-command: that message was never acknowledged
                }
                acknowledged[$"<test-{n}@example.net>"] = Hash(Normalize(bytes));
                if (acknowledged.Count >= KillAfter)
                {
                    enough.TrySetResult();
                }
            }
        }

        async Task DeliverLoop()
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var n = 900_000 + i;
                var text = ExternalProcess.Utf8(TestMessages.Create(n));
                var result = await ExternalProcess.LetterboxAsync(["deliver", "--to", "alice@example.org", "--data-dir", dir], text);
                if (result.ExitCode == 0)
                {
                    acknowledged[$"<test-{n}@example.net>"] = Hash(Normalize(System.Text.Encoding.UTF8.GetBytes(text)));
                }
            }
        }

        var workers = Enumerable.Range(1, 4).Select(AppendLoop).Append(DeliverLoop()).ToArray();
        await enough.Task.WaitAsync(TimeSpan.FromMinutes(3));
        await server.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await server.DisposeAsync();

        await using var restarted = await ServerProcess.StartAsync(dir);
        using (var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", restarted.Listeners["imaps"].Port, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync("alice@example.org", TestServer.Password);
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var stored = new Dictionary<string, string>();
            for (var i = 0; i < client.Inbox.Count; i++)
            {
                using var stream = await client.Inbox.GetStreamAsync(i, "");
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                var message = MimeMessage.Load(new MemoryStream(copy.ToArray()));
                stored["<" + message.MessageId + ">"] = Hash(Normalize(copy.ToArray()));
            }
            Assert.True(acknowledged.Count >= KillAfter);
            foreach (var (id, hash) in acknowledged)
            {
                Assert.True(stored.TryGetValue(id, out var got), $"acknowledged message {id} is missing after the crash");
                Assert.True(hash == got, $"message {id} differs after the crash");
            }
        }
        Assert.Equal(0, await restarted.StopAsync());
        var check = await ExternalProcess.LetterboxAsync(["store", "check", "--data-dir", dir]);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    /// <summary>
    /// MailKit re-serialises what it appends, so compare messages in one canonical form:
    /// parsed and written back with CRLF line ends.
    /// </summary>
    private static byte[] Normalize(byte[] bytes)
    {
        using var message = MimeMessage.Load(new MemoryStream(bytes));
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
