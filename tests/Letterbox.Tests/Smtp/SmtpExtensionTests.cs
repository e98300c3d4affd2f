using System.Text;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Smtp;

/// <summary>Transcripts for CHUNKING/BINARYMIME (RFC 3030), DSN parameters (RFC 3461), SMTPUTF8 (RFC 6531) and the greeting delay.</summary>
public class SmtpExtensionTests
{
    private const string Message = "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: chunked\r\n\r\nHi Alice\r\n";

    private static async Task<SmtpWire> GreetedAsync(TestServer server, string hello = "EHLO client.example.net")
    {
        var wire = await SmtpWire.ConnectAsync(hello.StartsWith("LHLO", StringComparison.Ordinal) ? server.Lmtp : server.Smtp);
        await wire.SendAsync(hello + "\r\n");
        var lines = await wire.ReadReplyAsync();
        Assert.StartsWith("250 ", lines[^1], StringComparison.Ordinal);
        return wire;
    }

    [Fact]
    public async Task Bdat_chunks_are_stored_as_sent_without_unstuffing()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await SmtpWire.ConnectAsync(server.Smtp);
        await wire.SendAsync("EHLO client.example.net\r\n");
        var lines = await wire.ReadReplyAsync();
        Assert.Contains(lines, l => l[4..] == "CHUNKING");
        Assert.Contains(lines, l => l[4..] == "BINARYMIME");
        Assert.Contains(lines, l => l[4..] == "DSN");
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net> BODY=BINARYMIME"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("503 5.5.1 BODY=BINARYMIME requires BDAT", await wire.CommandAsync("DATA"));
        // A chunk that looks like an end of data, a dot line and a command: all of it is content.
        var first = Message + "..not unstuffed\r\n.\r\nQUIT\r\n";
        var second = "bin\0ary\r\n";
        var bytes = Encoding.UTF8.GetBytes($"BDAT {Encoding.UTF8.GetByteCount(first)}\r\n{first}BDAT {second.Length} LAST\r\n{second}");
        await wire.Raw.SendAsync(bytes);
        Assert.Equal($"250 2.0.0 {Encoding.UTF8.GetByteCount(first)} octets received", (await wire.ReadReplyAsync())[^1]);
        Assert.Matches("^250 2.0.0 Ok: queued as [0-9a-f]{16}$", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.EndsWith(first + second, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_is_refused_in_step_and_not_mixed_with_data()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 50);
        await using var wire = await GreetedAsync(server);
        // Refused by state, yet its 5 octets ("NOOP\n" would be a command) are read as data.
        await wire.SendAsync("BDAT 5\r\nRSET\nNOOP\r\n");
        Assert.Equal("503 5.5.1 Bad sequence of commands", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 Ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        await wire.SendAsync("RCPT TO:<nobody@example.org>\r\nBDAT 3 LAST\r\nabc");
        Assert.Equal("550 5.1.1 No such user here", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("554 5.5.1 No valid recipients", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        await wire.SendAsync("BDAT 4\r\nabcd");
        Assert.Equal("250 2.0.0 4 octets received", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("503 5.5.1 DATA not allowed after BDAT in one transaction", await wire.CommandAsync("DATA"));
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("RSET"));
        Assert.Empty(await server.MessagesAsync(server.User));
        // A chunk size that cannot be read loses the framing: the session ends rather than read data as commands.
        await wire.SendAsync("BDAT lots\r\nMAIL FROM:<evil@example.net>\r\n");
        Assert.Equal("501 5.5.4 Syntax: BDAT chunk-size [LAST]", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("421 4.5.0 Cannot find the end of the BDAT chunk, closing connection", (await wire.ReadReplyAsync())[^1]);
        Assert.Null(await wire.Raw.ReadLineAsync());
    }

    [Fact]
    public async Task Bdat_over_the_size_limit_is_drained_and_refused_per_recipient_over_lmtp()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Limits.MaxMessageSize = 1000);
        await server.AddUserAsync("carol@example.org");
        await using var wire = await GreetedAsync(server, "LHLO mx.example.org");
        var big = new string('x', 600);
        await wire.SendAsync($"MAIL FROM:<bob@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT 600\r\n{big}BDAT 600 LAST\r\n{big}NOOP\r\n");
        Assert.Equal("250 2.1.0 Sender ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.5 Recipient ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.5 Recipient ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 600 octets received", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("552 5.3.4 Message too big", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("552 5.3.4 Message too big", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.0.0 Ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Empty(await server.MessagesAsync(server.User));

        // Under the limit, BDAT LAST gets one reply per recipient.
        await wire.SendAsync($"MAIL FROM:<bob@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT {Message.Length} LAST\r\n{Message}");
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("250 2.1.", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        }
        Assert.StartsWith("250 2.0.0 <alice@example.org> delivered as ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 <carol@example.org> delivered as ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.EndsWith(Message, Assert.Single(await server.MessagesAsync("carol@example.org")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dsn_parameters_are_accepted_and_malformed_ones_refused()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 50);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("501 5.5.4 Bad RET parameter", await wire.CommandAsync("MAIL FROM:<bob@example.net> RET=SOME"));
        Assert.Equal("501 5.5.4 Bad ENVID parameter", await wire.CommandAsync("MAIL FROM:<bob@example.net> ENVID=a=b"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net> RET=HDRS ENVID=QQ314159"));
        Assert.Equal("501 5.5.4 Bad NOTIFY parameter", await wire.CommandAsync("RCPT TO:<alice@example.org> NOTIFY=NEVER,DELAY"));
        Assert.Equal("501 5.5.4 Bad ORCPT parameter", await wire.CommandAsync("RCPT TO:<alice@example.org> ORCPT=alice@example.org"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice+40example.org"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync(server.User));
        // LMTP accepts the parameters but does not advertise DSN: the front MTA reports delivery.
        await using var lmtp = await SmtpWire.ConnectAsync(server.Lmtp);
        await lmtp.SendAsync("LHLO mx.example.org\r\n");
        Assert.DoesNotContain(await lmtp.ReadReplyAsync(), l => l[4..] == "DSN");
    }

    [Fact]
    public async Task Smtputf8_addresses_need_the_parameter_and_mark_the_received_header()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 50);
        await server.Server.Directory.AddAliasAsync(Letterbox.Core.EmailAddress.Parse("jürgen@example.org"), Letterbox.Core.EmailAddress.Parse("alice@example.org"));
        await using var wire = await GreetedAsync(server, "EHLO bücher.example");
        Assert.Equal("553 5.6.7 Non-ASCII address requires SMTPUTF8", await wire.CommandAsync("MAIL FROM:<björn@example.net>"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("553 5.6.7 Non-ASCII address requires SMTPUTF8", await wire.CommandAsync("RCPT TO:<jürgen@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        // Without SMTPUTF8 the header stays ASCII: the EHLO name goes in as its A-label.
        Assert.Contains("Received: from xn--bcher-kva.example ", Assert.Single(await server.MessagesAsync(server.User)), StringComparison.Ordinal);

        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<björn@example.net> SMTPUTF8"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<jürgen@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync("Subject: Grüße\r\n\r\nHallo\r\n"), StringComparison.Ordinal);
        var stored = (await server.MessagesAsync(server.User))[1];
        Assert.StartsWith("Return-Path: <björn@example.net>\r\n", stored, StringComparison.Ordinal);
        Assert.Contains("Received: from bücher.example ", stored, StringComparison.Ordinal);
        Assert.Contains(" with UTF8SMTP id ", stored, StringComparison.Ordinal);

        // Invalid UTF-8 is refused whatever the parameters.
        await wire.Raw.SendAsync([.. "RCPT TO:<j"u8, 0xC3, 0x28, .. "@example.org>\r\n"u8]);
        Assert.Equal("501 5.5.4 Invalid UTF-8 in command", (await wire.ReadReplyAsync())[^1]);
    }

    [Fact]
    public async Task A_client_that_talks_before_the_greeting_is_refused()
    {
        // Long enough that the early client's bytes always arrive first; the polite client pays it once.
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.GreetingDelayMs = 1500);
        await using (var early = await RawImapClient.ConnectAsync(server.Smtp))
        {
            await early.SendAsync("EHLO spammer.example\r\nMAIL FROM:<spam@example.net>\r\n");
            Assert.Equal("554 5.5.0 Talking before the greeting, closing connection", await early.ReadLineAsync());
            Assert.Null(await early.ReadLineAsync());
        }
        await using var polite = await SmtpWire.ConnectAsync(server.Smtp);
        Assert.Equal("220 localhost ESMTP Letterbox", polite.Greeting);
        Assert.StartsWith("250 ", await polite.CommandAsync("EHLO client.example.net"), StringComparison.Ordinal);
        // LMTP (an MTA we trust) is never delayed... it greets at once even with the option set.
        await using var lmtp = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.Equal("220 localhost LMTP Letterbox", lmtp.Greeting);
    }
}
