using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Letterbox.Tests.Integration;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;
using Xunit.Abstractions;

namespace Letterbox.Tests.Mta;

/// <summary>
/// SIGKILL during an SMTP burst (issue 4, DESIGN rule 3): several sessions of our own client
/// record every message that got <c>250</c>, smtp-source adds load for another user, the server
/// is killed mid-burst and restarted on the same data directory. Every acknowledged message is
/// there exactly once and byte-identical; nothing stored is a fragment; <c>store check</c> is clean.
/// </summary>
public sealed class SmtpCrashSafetyTests(ITestOutputHelper output)
{
    private const int Sessions = 6;
    private const int KillAfter = 150;

    [Fact]
    public async Task Every_message_acknowledged_with_250_survives_sigkill_exactly_once()
    {
        using var data = new TempDirectory();
        var dir = Path.Combine(data.Path, "data");
        Assert.Equal(0, (await ExternalProcess.LetterboxAsync(["domain", "add", "example.org", "--data-dir", dir])).ExitCode);
        foreach (var user in new[] { "alice@example.org", "bob@example.org" })
        {
            Assert.Equal(0, (await ExternalProcess.LetterboxAsync(["user", "add", user, "--password-stdin", "--data-dir", dir], TestServer.Password + "\n")).ExitCode);
        }

        var sent = new ConcurrentDictionary<string, string>();          // Message-ID -> canonical hash, every DATA we finished sending
        var acknowledged = new ConcurrentDictionary<string, string>();  // the subset that got 250
        var server = await ServerProcess.StartAsync(dir);
        var smtp = server.Listeners["smtp"];
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Session(int worker)
        {
            try
            {
                await using var wire = await MtaWire.ConnectAsync(smtp);
                if (await wire.ReadLineAsync() is not { } greeting || !greeting.StartsWith("220 ", StringComparison.Ordinal))
                {
                    return;
                }
                await wire.CommandAsync($"EHLO client{worker}.sender.test");
                for (var i = 0; ; i++)
                {
                    var n = (worker * 100_000) + i;
                    var bytes = TestMessages.Create(n);
                    if (!(await wire.CommandAsync("MAIL FROM:<sender@sender.test>")).StartsWith("250", StringComparison.Ordinal)
                        || !(await wire.CommandAsync("RCPT TO:<alice@example.org>")).StartsWith("250", StringComparison.Ordinal)
                        || !(await wire.CommandAsync("DATA")).StartsWith("354", StringComparison.Ordinal))
                    {
                        return;
                    }
                    var id = $"<test-{n}@example.net>";
                    sent[id] = Hash(Canonical(bytes));
                    await wire.SendAsync(DotStuff(Encoding.UTF8.GetString(bytes)) + ".\r\n");
                    var reply = (await wire.ReadReplyAsync())[^1];
                    if (!reply.StartsWith("250 ", StringComparison.Ordinal))
                    {
                        return;
                    }
                    acknowledged[id] = sent[id];
                    if (acknowledged.Count >= KillAfter)
                    {
                        enough.TrySetResult();
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The server died mid-transaction: that message was never acknowledged.
            }
        }

        // smtp-source as background load for another user (it cannot say which messages got 250).
        if (!File.Exists("/usr/sbin/smtp-source"))
        {
            throw new InvalidOperationException("/usr/sbin/smtp-source is not installed (Debian package postfix); ./test.sh installs it");
        }
        var load = ExternalProcess.RunAsync("/usr/sbin/smtp-source", ["-s", "2", "-d", "-m", "100000", "-f", "load@sender.test", "-t", "bob@example.org", $"127.0.0.1:{smtp.Port}"], timeoutSeconds: 300);
        var sessions = Enumerable.Range(1, Sessions).Select(Session).ToArray();
        await enough.Task.WaitAsync(TimeSpan.FromMinutes(4));
        await server.KillAsync();
        await Task.WhenAll(sessions);
        var loadResult = await load;
        Assert.NotEqual(0, loadResult.ExitCode); // it was cut off by the kill, not finished before it
        await server.DisposeAsync();

        await using var restarted = await ServerProcess.StartAsync(dir);
        var stored = new Dictionary<string, List<string>>();
        using (var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", restarted.Listeners["imaps"].Port, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync("alice@example.org", TestServer.Password);
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
            for (var i = 0; i < client.Inbox.Count; i++)
            {
                using var stream = await client.Inbox.GetStreamAsync(i, "");
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                var id = "<" + MimeMessage.Load(new MemoryStream(copy.ToArray())).MessageId + ">";
                if (!stored.TryGetValue(id, out var hashes))
                {
                    stored[id] = hashes = [];
                }
                hashes.Add(Hash(Canonical(copy.ToArray(), withoutTrace: true)));
            }
        }

        output.WriteLine($"sent {sent.Count}, acknowledged {acknowledged.Count}, stored after restart {stored.Count} " +
            $"({stored.Keys.Count(k => !acknowledged.ContainsKey(k))} stored without a 250)");
        Assert.True(acknowledged.Count >= KillAfter);
        foreach (var (id, hash) in acknowledged)
        {
            Assert.True(stored.TryGetValue(id, out var copies), $"acknowledged message {id} is missing after the crash");
            Assert.True(copies.Count == 1, $"acknowledged message {id} is stored {copies.Count} times");
            Assert.True(copies[0] == hash, $"acknowledged message {id} differs after the crash");
        }
        // Not acknowledged but stored (killed between commit and the 250): allowed, but whole.
        foreach (var (id, copies) in stored)
        {
            Assert.True(sent.TryGetValue(id, out var hash), $"stored message {id} was never sent");
            Assert.All(copies, c => Assert.True(c == hash, $"stored message {id} is not the message sent (half-stored?)"));
        }

        Assert.Equal(0, await restarted.StopAsync());
        var check = await ExternalProcess.LetterboxAsync(["store", "check", "--data-dir", dir]);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    /// <summary>RFC 5321 §4.5.2: a line that starts with "." gets another.</summary>
    private static string DotStuff(string text)
        => (text.StartsWith('.') ? "." : "") + text.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);

    /// <summary>
    /// One canonical form to compare: parsed and written with CRLF; for a stored copy, without the
    /// trace headers the server prepends (Return-Path, Delivered-To, Received).
    /// </summary>
    private static byte[] Canonical(byte[] bytes, bool withoutTrace = false)
    {
        using var message = MimeMessage.Load(new MemoryStream(bytes));
        if (withoutTrace)
        {
            message.Headers.RemoveAll(HeaderId.ReturnPath);
            message.Headers.RemoveAll("Delivered-To");
            message.Headers.RemoveAll(HeaderId.Received);
        }
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
