using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Smtp;

/// <summary>C:/S: exchanges against a running server over loopback TCP, for every SMTP command and error path.</summary>
public class SmtpTranscriptTests
{
    private const string Message = "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\nHi Alice\r\n";

    private static async Task<SmtpWire> GreetedAsync(TestServer server)
    {
        var wire = await SmtpWire.ConnectAsync(server.Smtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("EHLO client.example.net"), StringComparison.Ordinal);
        return wire;
    }

    [Fact]
    public async Task Greeting_and_ehlo_advertise_the_extensions()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await SmtpWire.ConnectAsync(server.Smtp);
        Assert.Equal("220 localhost ESMTP Letterbox", wire.Greeting);
        await wire.SendAsync("EHLO client.example.net\r\n");
        var lines = await wire.ReadReplyAsync();
        Assert.Equal("250-localhost Hello client.example.net", lines[0]);
        foreach (var extension in new[] { "PIPELINING", "SIZE 67108864", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS" })
        {
            Assert.Contains(lines, l => l[4..] == extension);
        }
        Assert.StartsWith("250 ", lines[^1], StringComparison.Ordinal);
        Assert.Equal("250 localhost", await wire.CommandAsync("HELO client.example.net"));
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        Assert.Equal("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery", await wire.CommandAsync("VRFY alice"));
        Assert.Equal("502 5.5.1 EXPN not available", await wire.CommandAsync("EXPN staff"));
        Assert.StartsWith("214 2.0.0", await wire.CommandAsync("HELP"), StringComparison.Ordinal);
        Assert.Equal("221 2.0.0 Bye", await wire.CommandAsync("QUIT"));
        Assert.Null(await wire.Raw.ReadLineAsync());
    }

    [Fact]
    public async Task A_message_is_delivered_with_trace_headers()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net> SIZE=100 BODY=8BITMIME"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<Alice@Example.ORG>"));
        Assert.Matches("^250 2.0.0 Ok: queued as [0-9a-f]{16}$", await wire.DataAsync(Message + "..dot line\r\n"));
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.StartsWith("Return-Path: <bob@example.net>\r\nDelivered-To: alice@example.org\r\nReceived: from client.example.net ([127.0.0.1])\r\n\tby localhost (Letterbox) with ESMTP id ", stored, StringComparison.Ordinal);
        Assert.Contains("\tfor <Alice@Example.ORG>;\r\n", stored, StringComparison.Ordinal);
        Assert.EndsWith(Message + ".dot line\r\n", stored, StringComparison.Ordinal);
        // The session is back in the greeted state: another transaction works.
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<>"));
    }

    [Fact]
    public async Task Recipients_are_checked_at_rcpt_time()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 50);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("550 5.1.1 No such user here", await wire.CommandAsync("RCPT TO:<nobody@example.org>"));
        Assert.Equal("554 5.7.1 Relay access denied", await wire.CommandAsync("RCPT TO:<someone@gmail.com>"));
        Assert.Equal("501 5.1.3 Bad address syntax", await wire.CommandAsync("RCPT TO:<not an address>"));
        Assert.Equal("553 5.6.7 Non-ASCII address requires SMTPUTF8", await wire.CommandAsync("RCPT TO:<jürgen@example.org>"));
        Assert.Equal("554 5.5.1 No valid recipients", await wire.CommandAsync("DATA"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync(server.User));
    }

    [Fact]
    public async Task Commands_out_of_order_get_503()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 50);
        await using var wire = await SmtpWire.ConnectAsync(server.Smtp);
        Assert.Equal("503 5.5.1 Send EHLO first", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("500 5.5.2 Command not recognized", await wire.CommandAsync("LHLO x.example"));
        // RFC 3030 §2: a refused BDAT still has its chunk read (the "NOOP" inside is data).
        await wire.SendAsync("BDAT 6 LAST\r\nNOOP\r\n");
        Assert.Equal("503 5.5.1 Send EHLO first", (await wire.ReadReplyAsync())[^1]);
        Assert.StartsWith("250 ", await wire.CommandAsync("EHLO client.example.net"), StringComparison.Ordinal);
        Assert.Equal("503 5.5.1 Bad sequence of commands", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("503 5.5.1 Bad sequence of commands", await wire.CommandAsync("DATA"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("503 5.5.1 Bad sequence of commands", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("RSET"));
        Assert.Equal("503 5.5.1 Bad sequence of commands", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("501 5.5.4 Syntax: MAIL FROM:<address>", await wire.CommandAsync("MAIL alice"));
        Assert.Equal("555 5.5.4 Unsupported parameter XFOO", await wire.CommandAsync("MAIL FROM:<a@example.net> XFOO=1"));
        Assert.Equal("500 5.5.6 Line too long", await wire.CommandAsync("NOOP " + new string('x', 5000)));
    }

    [Fact]
    public async Task Too_many_errors_close_the_session_with_421()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxErrors = 3);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("500 5.5.2 Command not recognized", await wire.CommandAsync("FOO"));
        Assert.Equal("500 5.5.2 Command not recognized", await wire.CommandAsync("BAR"));
        await wire.SendAsync("BAZ\r\n");
        Assert.Equal("500 5.5.2 Command not recognized", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("421 4.7.0 Too many errors, closing connection", (await wire.ReadReplyAsync())[^1]);
        Assert.Null(await wire.Raw.ReadLineAsync());
    }

    [Fact]
    public async Task Too_many_commands_without_mail_close_the_session()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxCommandsWithoutMail = 3);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("RSET"));
        Assert.Equal("421 4.7.0 Too many commands without a message, closing connection", await wire.CommandAsync("NOOP"));
        Assert.Null(await wire.Raw.ReadLineAsync());
    }

    [Fact]
    public async Task Recipients_per_message_are_limited()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Smtp.MaxRecipients = 2);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice+x@example.org>"));
        Assert.Equal("452 4.5.3 Too many recipients", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
    }

    [Fact]
    public async Task Size_is_enforced_on_the_declaration_and_while_data_streams()
    {
        await using var server = await SmtpServers.StartAsync(o => o.Limits.MaxMessageSize = 1000);
        await using var wire = await GreetedAsync(server);
        Assert.Equal("552 5.3.4 Message size exceeds the limit of 1000 octets", await wire.CommandAsync("MAIL FROM:<bob@example.net> SIZE=1001"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net> SIZE=10"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("552 5.3.4 Message too big", await wire.DataAsync(Message + string.Concat(Enumerable.Repeat(new string('x', 70) + "\r\n", 20))));
        // Drained, so the session is still in step.
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        Assert.Empty(await server.MessagesAsync(server.User));
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await GreetedAsync(server);
        await wire.SendAsync("MAIL FROM:<bob@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Sender ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.5 Recipient ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("550 5.1.1 No such user here", (await wire.ReadReplyAsync())[^1]);
        Assert.StartsWith("354 ", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        await wire.SendAsync(Message + ".\r\nNOOP\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.Equal("250 2.0.0 Ok", (await wire.ReadReplyAsync())[^1]);
        Assert.Equal("221 2.0.0 Bye", (await wire.ReadReplyAsync())[^1]);
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\r")]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    public async Task Smuggling_probes_do_not_split_a_message(string fakeEnd)
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.StartsWith("354 ", await wire.CommandAsync("DATA"), StringComparison.Ordinal);
        await wire.SendAsync("Subject: one\r\n\r\nfirst" + fakeEnd + "MAIL FROM:<evil@example.net>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n.\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued", (await wire.ReadReplyAsync())[^1], StringComparison.Ordinal);
        Assert.Equal("250 2.0.0 Ok", await wire.CommandAsync("NOOP"));
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.Contains("Subject: smuggled", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starttls_discards_pipelined_plaintext_and_restarts_the_session()
    {
        await using var server = await SmtpServers.StartAsync();
        await using var wire = await GreetedAsync(server);
        // RFC 3207 §6: a command injected after STARTTLS in the same packet must not be acted on.
        await wire.SendAsync("STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS", (await wire.ReadReplyAsync())[^1]);
        await wire.Raw.StartTlsAsync(server.CertificatePath);
        // Had the injected MAIL run, this would be "503 bad sequence" (transaction open) or 250 for RCPT.
        Assert.Equal("503 5.5.1 Send EHLO first", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        await wire.SendAsync("EHLO client.example.net\r\n");
        var lines = await wire.ReadReplyAsync();
        Assert.DoesNotContain(lines, l => l.EndsWith("STARTTLS", StringComparison.Ordinal));
        Assert.Equal("503 5.5.1 TLS already active", await wire.CommandAsync("STARTTLS"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.Contains("with ESMTPS id ", stored, StringComparison.Ordinal);
        Assert.Matches(@"\(using TLSv1\.[23] with TLS_", stored);
    }

    [Fact]
    public async Task Two_aliases_of_one_account_store_one_copy_and_detail_files_into_the_folder()
    {
        await using var server = await SmtpServers.StartAsync();
        await server.AddAliasAsync("info@example.org", "alice@example.org");
        await server.AddAliasAsync("sales@example.org", "alice@example.org");
        await using var wire = await GreetedAsync(server);
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<info@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<sales@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        var inbox = Assert.Single(await server.MessagesAsync(server.User));
        Assert.DoesNotContain("\tfor <", inbox, StringComparison.Ordinal);

        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice+Archive@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync(server.User, "Archive"));
        Assert.Equal("250 2.1.0 Sender ok", await wire.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await wire.CommandAsync("RCPT TO:<alice+nosuchfolder@example.org>"));
        Assert.StartsWith("250 2.0.0", await wire.DataAsync(Message), StringComparison.Ordinal);
        Assert.Equal(2, (await server.MessagesAsync(server.User)).Count);
    }
}
