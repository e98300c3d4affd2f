using Letterbox.Discovery;
using Letterbox.Discovery.Probing;
using Letterbox.Tests.Dns;

namespace Letterbox.Tests.Discovery;

/// <summary>Probes against fake servers on 127.0.5.2–19, standard ports, names from the test DNS.</summary>
public sealed class ProbeTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Implicit_tls_server_is_verified_and_a_starttls_probe_is_told_to_choose_ssl()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.p2.test", "A", "127.0.5.2");
        await using var server = new FakeMailServer("127.0.5.2", 993, MailProtocol.Imap, FakeMode.ImplicitTls, _pki.Issue(["imap.p2.test"]));
        var probe = DiscoveryTestKit.Probe(dns, _pki);

        var good = await probe.ProbeAsync(MailProtocol.Imap, "imap.p2.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.Ok, good.Outcome);
        Assert.True(good.Certificate!.IsValid);
        Assert.Contains("AUTH=PLAIN", good.Capabilities);
        Assert.Equal(["PLAIN"], good.AuthMechanisms);
        Assert.Equal("127.0.5.2", good.Address);

        var swapped = await probe.ProbeAsync(MailProtocol.Imap, "imap.p2.test", 993, SocketSecurity.StartTls);
        Assert.Equal(ProbeOutcome.SpeaksTlsAtOnce, swapped.Outcome);
        Assert.StartsWith("port 993 speaks TLS at once: choose SSL/TLS, not STARTTLS", swapped.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "127.0.5.3", 143, 993)]
    [InlineData(MailProtocol.Pop3, "127.0.5.4", 110, 995)]
    public async Task Starttls_server_works_with_starttls_and_an_ssl_probe_is_told_to_choose_starttls(MailProtocol protocol, string address, int port, int sslPort)
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mail.st.test", "A", address);
        await using var server = new FakeMailServer(address, port, protocol, FakeMode.StartTls, _pki.Issue(["mail.st.test"]));
        var probe = DiscoveryTestKit.Probe(dns, _pki);

        var good = await probe.ProbeAsync(protocol, "mail.st.test", port, SocketSecurity.StartTls);
        Assert.Equal(ProbeOutcome.Ok, good.Outcome);
        Assert.NotNull(good.TlsProtocol);
        Assert.Contains("PLAIN", good.AuthMechanisms);

        var swapped = await probe.ProbeAsync(protocol, "mail.st.test", port, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.SpeaksPlaintext, swapped.Outcome);
        Assert.Contains("choose STARTTLS, not SSL/TLS", swapped.Advice, StringComparison.Ordinal);
        Assert.Contains(sslPort.ToString(System.Globalization.CultureInfo.InvariantCulture), swapped.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_certificate_is_reported_not_accepted()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.p5.test", "A", "127.0.5.5");
        var now = DateTimeOffset.UtcNow;
        await using var server = new FakeMailServer("127.0.5.5", 993, MailProtocol.Imap, FakeMode.ImplicitTls, _pki.Issue(["imap.p5.test"], now.AddDays(-30), now.AddDays(-2)));
        var result = await DiscoveryTestKit.Probe(dns, _pki).ProbeAsync(MailProtocol.Imap, "imap.p5.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.CertificateProblem, result.Outcome);
        Assert.Contains(result.Certificate!.Problems, p => p.StartsWith("certificate expired on", StringComparison.Ordinal));
        Assert.Contains("renew", result.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mismatched_and_untrusted_certificates_are_reported_with_the_names()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mail.example.test", "A", "127.0.5.6");
        await using var server = new FakeMailServer("127.0.5.6", 993, MailProtocol.Imap, FakeMode.ImplicitTls, _pki.Issue(["mail.hoster.test"]));

        var mismatch = await DiscoveryTestKit.Probe(dns, _pki).ProbeAsync(MailProtocol.Imap, "mail.example.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.CertificateProblem, mismatch.Outcome);
        Assert.Contains("certificate is for mail.hoster.test, not mail.example.test", mismatch.Advice, StringComparison.Ordinal);

        var untrusted = await DiscoveryTestKit.Probe(dns, _pki, trustTestCa: false).ProbeAsync(MailProtocol.Imap, "mail.example.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.CertificateProblem, untrusted.Outcome);
        Assert.Contains(untrusted.Certificate!.Problems, p => p.Contains("not trusted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Closed_port_is_refused_at_once_and_unknown_names_are_not_resolved()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.p8.test", "A", "127.0.5.8");
        var probe = DiscoveryTestKit.Probe(dns, _pki);
        var closed = await probe.ProbeAsync(MailProtocol.Imap, "imap.p8.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.Refused, closed.Outcome);
        Assert.Equal(1, closed.Attempts);
        Assert.Contains("connection refused", closed.Advice, StringComparison.Ordinal);

        var unknown = await probe.ProbeAsync(MailProtocol.Imap, "nothing.p8.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.NotResolved, unknown.Outcome);
    }

    [Fact]
    public async Task Plaintext_only_server_is_reported_insecure()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("pop.p9.test", "A", "127.0.5.9");
        await using var server = new FakeMailServer("127.0.5.9", 110, MailProtocol.Pop3, FakeMode.PlainOnly);
        var result = await DiscoveryTestKit.Probe(dns, _pki).ProbeAsync(MailProtocol.Pop3, "pop.p9.test", 110, SocketSecurity.StartTls);
        Assert.Equal(ProbeOutcome.NoTlsOffered, result.Outcome);
        Assert.Contains("offers no STLS", result.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_resets_are_retried_with_back_off_until_the_server_answers()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.p10.test", "A", "127.0.5.10");
        await using var server = new FakeMailServer("127.0.5.10", 993, MailProtocol.Imap, FakeMode.ImplicitTls, _pki.Issue(["imap.p10.test"]), resetFirst: 2);
        var result = await DiscoveryTestKit.Probe(dns, _pki).ProbeAsync(MailProtocol.Imap, "imap.p10.test", 993, SocketSecurity.Ssl);
        Assert.Equal(ProbeOutcome.Ok, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, server.Accepted);
    }

    [Fact]
    public void Back_off_doubles_from_the_base_and_tries_are_capped_at_five()
    {
        var options = new ProbeOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), MaxTries = 9 };
        Assert.Equal([1, 2, 4, 8], Enumerable.Range(2, 4).Select(a => options.BackOff(a).TotalSeconds));
        Assert.Equal(5, options.Tries);
    }
}
