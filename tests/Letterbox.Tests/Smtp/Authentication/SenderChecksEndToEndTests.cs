using System.Text;
using Letterbox.Tests.Dns;
using Letterbox.Tests.Integration;
using MimeKit;
using MimeKit.Cryptography;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>
/// Real SMTP sessions against the in-process server, its resolver pointed at a test DNS server: what
/// arrives in the store carries the Authentication-Results the records call for, in the mailbox the
/// verdict chose.
/// </summary>
public class SenderChecksEndToEndTests(DkimKeys keys) : IClassFixture<DkimKeys>
{
    private static readonly HeaderId[] Signed = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId];

    private TestDnsServer Zone()
    {
        var dns = TestDnsServer.Start();
        // The test client connects from 127.0.0.1.
        dns.Add("example.net", "TXT", "v=spf1 ip4:127.0.0.1 -all");
        dns.Add("_dmarc.example.net", "TXT", "v=DMARC1; p=reject");
        dns.Add("sel._domainkey.example.net", "TXT", keys.RsaRecord);
        dns.Add("spoof.test", "TXT", "v=spf1 -all");
        dns.Add("_dmarc.spoof.test", "TXT", "v=DMARC1; p=reject");
        return dns;
    }

    private static Task<TestServer> StartAsync(TestDnsServer dns, Action<Core.Options.LetterboxOptions>? configure = null) => SmtpServers.StartAsync(o =>
    {
        o.Smtp.AuthenticationChecks = true;
        o.Dns = dns.Options;
        configure?.Invoke(o);
    });

    private static string Text(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, stream);
        return Encoding.ASCII.GetString(stream.ToArray());
    }

    private static MimeMessage NewMessage(string from)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("alice@example.org"));
        message.Subject = "Hello";
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("example.net");
        message.Body = new TextPart("plain") { Text = "Hi Alice\r\n" };
        return message;
    }

    private static async Task<string> SendAsync(TestServer server, string mailFrom, string content, params string[] recipients)
    {
        await using var wire = await SmtpWire.ConnectAsync(server.Smtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("EHLO mail.example.net"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync($"MAIL FROM:<{mailFrom}>"), StringComparison.Ordinal);
        foreach (var recipient in recipients.Length == 0 ? ["alice@example.org"] : recipients)
        {
            Assert.StartsWith("250 ", await wire.CommandAsync($"RCPT TO:<{recipient}>"), StringComparison.Ordinal);
        }
        return await wire.DataAsync(content);
    }

    [Fact]
    public async Task A_signed_message_arrives_in_inbox_with_pass_results()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns);
        var message = NewMessage("bob@example.net");
        keys.RsaSigner("example.net", "sel").Sign(message, Signed);
        Assert.StartsWith("250 2.0.0", await SendAsync(server, "bob@example.net", Text(message)), StringComparison.Ordinal);
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.StartsWith("Return-Path: <bob@example.net>\r\nDelivered-To: alice@example.org\r\nAuthentication-Results: localhost;\r\n"
            + "\tspf=pass (127.0.0.1 is designated by example.net) smtp.mailfrom=bob@example.net;\r\n"
            + "\tdkim=pass header.d=example.net header.s=sel header.a=rsa-sha256 header.b=", stored, StringComparison.Ordinal);
        Assert.Contains(";\r\n\tdmarc=pass (p=REJECT dis=NONE) header.from=example.net;\r\n\tarc=none\r\nReceived: from mail.example.net ([127.0.0.1])", stored, StringComparison.Ordinal);
        // The signature still verifies on the stored copy: nothing it covers was changed.
        Assert.EndsWith(Text(message), stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_message_failing_dmarc_reject_goes_to_junk_by_default()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns);
        Assert.StartsWith("250 2.0.0", await SendAsync(server, "ceo@spoof.test", Text(NewMessage("ceo@spoof.test"))), StringComparison.Ordinal);
        Assert.Empty(await server.MessagesAsync(server.User));
        var junk = Assert.Single(await server.MessagesAsync(server.User, "Junk"));
        Assert.Contains("\tspf=fail (127.0.0.1 is not designated by spoof.test) smtp.mailfrom=ceo@spoof.test;\r\n\tdkim=none;\r\n\tdmarc=fail (p=REJECT dis=REJECT) header.from=spoof.test;", junk, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Junk_is_created_when_the_user_deleted_it()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns);
        var user = (await server.Server.Directory.FindUserAsync(server.User))!;
        await using (var account = await server.Server.Store.OpenAccountAsync(user))
        {
            var junk = (await account.ListMailboxesAsync()).Single(m => m.SpecialUse.HasFlag(global::Letterbox.Store.SpecialUse.Junk));
            await account.DeleteMailboxAsync(junk.Name);
        }
        Assert.StartsWith("250 2.0.0", await SendAsync(server, "ceo@spoof.test", Text(NewMessage("ceo@spoof.test"))), StringComparison.Ordinal);
        Assert.Single(await server.MessagesAsync(server.User, "Junk"));
        await using (var account = await server.Server.Store.OpenAccountAsync(user))
        {
            Assert.Equal(global::Letterbox.Store.SpecialUse.Junk, (await account.GetMailboxAsync("Junk"))!.SpecialUse);
        }
    }

    [Fact]
    public async Task Dmarc_reject_is_refused_with_550_when_configured()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns, o => o.Smtp.RejectDmarcFailures = true);
        Assert.Equal("550 5.7.1 Message refused: DMARC policy of the sender's domain", await SendAsync(server, "ceo@spoof.test", Text(NewMessage("ceo@spoof.test"))));
        Assert.Empty(await server.MessagesAsync(server.User));
        Assert.Empty(await server.MessagesAsync(server.User, "Junk"));
    }

    [Fact]
    public async Task Forged_results_bearing_our_name_are_removed_for_every_account()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns);
        await server.AddUserAsync("carol@example.org");
        var message = NewMessage("bob@example.net");
        message.Headers.Insert(0, new Header("Authentication-Results", "localhost; dmarc=pass header.from=bank.test"));
        message.Headers.Insert(1, new Header("Authentication-Results", "upstream.test; spf=pass smtp.mailfrom=bob@example.net"));
        var sent = Text(message);
        Assert.StartsWith("250 2.0.0", await SendAsync(server, "bob@example.net", sent, "alice@example.org", "carol@example.org"), StringComparison.Ordinal);
        foreach (var user in new[] { "alice@example.org", "carol@example.org" })
        {
            var stored = Assert.Single(await server.MessagesAsync(user));
            Assert.DoesNotContain("bank.test", stored, StringComparison.Ordinal);
            Assert.Contains("Authentication-Results: upstream.test; spf=pass", stored, StringComparison.Ordinal);
            // Ours, once: the forged one is gone.
            Assert.Equal(2, stored.Split("Authentication-Results: localhost;").Length);
            Assert.Contains("Authentication-Results: localhost;\r\n\tspf=pass", stored, StringComparison.Ordinal);
            Assert.EndsWith(sent[sent.IndexOf("Authentication-Results: upstream.test", StringComparison.Ordinal)..], stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_dns_failure_delivers_with_temperror_or_defers_when_configured()
    {
        await using var dns = Zone();
        dns.ServFail("spoof.test");
        await using (var server = await StartAsync(dns))
        {
            // SPF cannot be checked, so DMARC p=reject is not applied on a guess: the message is delivered.
            Assert.StartsWith("250 2.0.0", await SendAsync(server, "ceo@spoof.test", Text(NewMessage("ceo@spoof.test"))), StringComparison.Ordinal);
            var stored = Assert.Single(await server.MessagesAsync(server.User));
            Assert.Contains("	spf=temperror (DNS error looking up spoof.test) smtp.mailfrom=ceo@spoof.test;", stored, StringComparison.Ordinal);
            Assert.Contains("	dmarc=temperror (p=REJECT dis=NONE) header.from=spoof.test;", stored, StringComparison.Ordinal);
        }
        await using (var server = await StartAsync(dns, o => o.Smtp.DeferOnDnsErrors = true))
        {
            Assert.Equal("451 4.4.3 Sender checks hit a DNS error, try again later", await SendAsync(server, "ceo@spoof.test", Text(NewMessage("ceo@spoof.test"))));
            Assert.Empty(await server.MessagesAsync(server.User));
        }
    }

    [Fact]
    public async Task Lmtp_does_not_check_by_default()
    {
        await using var dns = Zone();
        await using var server = await StartAsync(dns);
        await using var wire = await SmtpWire.ConnectAsync(server.Lmtp);
        Assert.StartsWith("250 ", await wire.CommandAsync("LHLO mta.example.org"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("MAIL FROM:<ceo@spoof.test>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.CommandAsync("RCPT TO:<alice@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await wire.DataAsync(Text(NewMessage("ceo@spoof.test"))), StringComparison.Ordinal);
        var stored = Assert.Single(await server.MessagesAsync(server.User));
        Assert.DoesNotContain("Authentication-Results", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(dns.Queries, q => q.Name == "spoof.test");
    }

    [Fact]
    public void Checks_are_on_for_smtp_and_off_for_lmtp_by_default()
    {
        var defaults = new Core.Options.SmtpOptions();
        Assert.True(defaults.AuthenticationChecks);
        Assert.False(defaults.LmtpAuthenticationChecks);
        Assert.False(defaults.RejectDmarcFailures);
        Assert.False(defaults.DeferOnDnsErrors);
        Assert.Equal(20, defaults.AuthenticationTimeoutSeconds);
    }
}
