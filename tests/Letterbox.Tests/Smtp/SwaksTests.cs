using Letterbox.Tests.Integration;
using MimeKit;

namespace Letterbox.Tests.Smtp;

/// <summary>
/// swaks (Debian package swaks) as a real SMTP client against the server on port 0; exit codes checked
/// and the messages read back from the store. swaks 20201014 has neither BDAT nor SMTPUTF8: those are
/// covered by raw-socket transcripts in <see cref="SmtpExtensionTests"/>.
/// </summary>
public sealed class SwaksTests
{
    private static List<string> Args(TestServer server, params string[] rest)
        => ["--server", "127.0.0.1", "--port", server.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--helo", "client.example.net", "--from", "bob@example.net", "--timeout", "60", .. rest];

    private static MimeMessage Parse(string text) => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Plain_starttls_and_pipelined_messages_arrive()
    {
        await using var server = await SmtpServers.StartAsync();
        var plain = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org", "--header", "Subject: plain"));
        Assert.True(plain.ExitCode == 0, plain.ToString());
        // RFC 3207 with TLS 1.2 or newer only.
        var tls = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org", "--header", "Subject: over tls", "-tls", "--tls-protocol", "tlsv1_2,tlsv1_3"));
        Assert.True(tls.ExitCode == 0, tls.ToString());
        Assert.Contains("STARTTLS", tls.Output, StringComparison.Ordinal);
        var pipelined = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org", "--header", "Subject: pipelined", "--pipeline"));
        Assert.True(pipelined.ExitCode == 0, pipelined.ToString());
        // swaks writes MAIL, RCPT and DATA in one go and reads the three replies after.
        Assert.Contains("MAIL FROM:<bob@example.net>", pipelined.Output, StringComparison.Ordinal);

        var stored = await server.MessagesAsync(server.User);
        Assert.Equal(new[] { "plain", "over tls", "pipelined" }, stored.Select(s => Parse(s).Subject).ToArray());
        Assert.Contains(" with ESMTP id ", stored[0], StringComparison.Ordinal);
        Assert.Contains(" with ESMTPS id ", stored[1], StringComparison.Ordinal);
        Assert.Matches(@"\(using TLSv1\.[23] ", stored[1]);
    }

    [Fact]
    public async Task Two_recipients_one_unknown_delivers_to_the_known_one()
    {
        await using var server = await SmtpServers.StartAsync();
        var result = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "nobody@example.org,alice@example.org", "--header", "Subject: two"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("550 5.1.1 No such user here", result.Output, StringComparison.Ordinal);
        Assert.Equal("two", Parse(Assert.Single(await server.MessagesAsync(server.User))).Subject);
        // No recipient at all: swaks exits 24.
        var none = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "nobody@example.org"));
        Assert.True(none.ExitCode == 24, none.ToString());
    }

    [Fact]
    public async Task An_attachment_arrives_intact()
    {
        await using var server = await SmtpServers.StartAsync();
        var file = Path.Combine(server.Data.Path, "report.bin");
        var content = new byte[20_000];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(file, content);
        var result = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org", "--attach", "@" + file));
        Assert.True(result.ExitCode == 0, result.ToString());
        var message = Parse(Assert.Single(await server.MessagesAsync(server.User)));
        var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal("report.bin", attachment.FileName);
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        Assert.Equal(content, decoded.ToArray());
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_after_data_and_not_stored()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Limits.MaxMessageSize = 4000);
        var result = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org", "--body", new string('x', 70) + string.Concat(Enumerable.Repeat("\n" + new string('y', 70), 100))));
        // 26: the server did not accept the mail after the data.
        Assert.True(result.ExitCode == 26, result.ToString());
        Assert.Contains("552 5.3.4 Message too big", result.Output, StringComparison.Ordinal);
        Assert.Empty(await server.MessagesAsync(server.User));
        var small = await ExternalProcess.RunAsync("swaks", Args(server, "--to", "alice@example.org"));
        Assert.True(small.ExitCode == 0, small.ToString());
    }
}
