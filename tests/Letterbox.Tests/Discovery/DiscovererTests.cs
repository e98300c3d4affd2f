using Letterbox.Discovery;
using Letterbox.Tests.Dns;

namespace Letterbox.Tests.Discovery;

/// <summary>Each discovery mechanism for real: test DNS, HTTPS/HTTP servers on 127.0.5.20–39 at 443/80, mail servers at standard ports.</summary>
public sealed class DiscovererTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static string Document(string host) => SettingsDocumentTests.Autoconfig.Replace("example.test", host, StringComparison.Ordinal);

    [Fact]
    public async Task Offline_uses_only_the_provider_table()
    {
        await using var dns = TestDnsServer.Start();
        using var discoverer = new MailDiscoverer(Letterbox.Net.Dns.DnsLookup.Create(dns.Options), DiscoveryTestKit.Options(_pki) is var o ? new DiscoveryOptions { Offline = true, IspdbUrl = "", Probe = o.Probe } : null!);
        var known = await discoverer.DiscoverAsync("Jane", "163.COM");
        Assert.Equal("provider table", known.Mechanism);
        Assert.Equal("imap.163.com", known.Best(MailProtocol.Imap)!.Host);
        Assert.Equal("Jane@163.com", known.Best(MailProtocol.Imap)!.Username);
        var unknown = await discoverer.DiscoverAsync("jane", "unknown.test");
        Assert.Empty(unknown.Settings);
        Assert.Empty(dns.Queries);
    }

    [Fact]
    public async Task Autoconfig_over_https_is_trusted_and_asked_with_the_address()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("autoconfig.ac.test", "A", "127.0.5.20");
        await using var web = new TestWebServer("127.0.5.20", 443, _pki.Issue(["autoconfig.ac.test"]), r => r.PathAndQuery.StartsWith("/mail/config-v1.1.xml", StringComparison.Ordinal) ? (200, Document("ac.test")) : (404, ""));
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "ac.test");
        Assert.Equal("autoconfig (https)", result.Mechanism);
        var imap = result.Best(MailProtocol.Imap)!;
        Assert.Equal(("imap.ac.test", 993, SocketSecurity.Ssl, SettingsTrust.Https), (imap.Host, imap.Port, imap.Security, imap.Trust));
        Assert.Empty(imap.Warnings);
        Assert.Contains(web.Requests, r => r.PathAndQuery == "/mail/config-v1.1.xml?emailaddress=jo%40ac.test" && r.Host == "autoconfig.ac.test");
    }

    [Fact]
    public async Task Bad_https_certificate_is_reported_and_the_http_answer_is_marked_less_trusted()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("autoconfig.hc.test", "A", "127.0.5.21");
        await using var https = new TestWebServer("127.0.5.21", 443, _pki.Issue(["www.elsewhere.test"]), _ => (200, Document("hc.test")));
        await using var http = new TestWebServer("127.0.5.21", 80, null, r => r.PathAndQuery.StartsWith("/mail/", StringComparison.Ordinal) ? (200, Document("hc.test")) : (404, ""));
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "hc.test");
        Assert.Equal("autoconfig (http)", result.Mechanism);
        Assert.Contains(result.Steps, s => s.Target.StartsWith("https://autoconfig.hc.test/", StringComparison.Ordinal) && s.Detail.Contains("certificate is for www.elsewhere.test, not autoconfig.hc.test", StringComparison.Ordinal));
        var imap = result.Best(MailProtocol.Imap)!;
        Assert.Equal(SettingsTrust.Http, imap.Trust);
        Assert.Contains(imap.Warnings, w => w.Contains("plain http", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Central_database_is_asked_then_the_mx_domains()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("ispdb.test", "A", "127.0.5.22");
        dns.Add("mxd.test", "MX", "10 mx1.mail.hoster.test.");
        await using var ispdb = new TestWebServer("127.0.5.22", 443, _pki.Issue(["ispdb.test"]), r => r.PathAndQuery switch
        {
            "/v1.1/isp.test" => (200, Document("isp.test")),
            "/v1.1/hoster.test" => (200, Document("hoster.test")),
            _ => (404, ""),
        });
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki, "https://ispdb.test/v1.1/");

        var direct = await discoverer.DiscoverAsync("jo", "isp.test");
        Assert.Equal("ISPDB", direct.Mechanism);
        Assert.Equal("imap.isp.test", direct.Best(MailProtocol.Imap)!.Host);

        var viaMx = await discoverer.DiscoverAsync("jo", "mxd.test");
        Assert.Equal("ISPDB (MX domain)", viaMx.Mechanism);
        Assert.Equal("imap.hoster.test", viaMx.Best(MailProtocol.Imap)!.Host);
        Assert.Equal("jo@mxd.test", viaMx.Best(MailProtocol.Imap)!.Username);
        var asked = ispdb.Requests.Select(r => r.PathAndQuery).ToList();
        Assert.True(asked.IndexOf("/v1.1/mail.hoster.test") < asked.IndexOf("/v1.1/hoster.test"), string.Join(", ", asked));
    }

    [Fact]
    public async Task Mx_at_a_known_provider_uses_the_provider_table()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("workspace.test", "MX", "1 aspmx.l.google.com.");
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "workspace.test");
        Assert.Equal("provider table (MX)", result.Mechanism);
        Assert.Equal(("imap.gmail.com", "jo@workspace.test"), (result.Best(MailProtocol.Imap)!.Host, result.Best(MailProtocol.Imap)!.Username));
    }

    [Fact]
    public async Task Autodiscover_pox_is_posted_and_read()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("autodiscover.ad.test", "A", "127.0.5.24");
        await using var web = new TestWebServer("127.0.5.24", 443, _pki.Issue(["autodiscover.ad.test"]), r =>
            r.Method == "POST" && r.PathAndQuery.Equals("/autodiscover/autodiscover.xml", StringComparison.OrdinalIgnoreCase) && r.Body.Contains("<EMailAddress>jo@ad.test</EMailAddress>", StringComparison.Ordinal)
                ? (200, SettingsDocumentTests.Autodiscover) : (404, ""));
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "ad.test");
        Assert.Equal("Autodiscover", result.Mechanism);
        Assert.Equal(("mail.example.test", 993, SettingsTrust.Https), (result.Best(MailProtocol.Imap)!.Host, result.Best(MailProtocol.Imap)!.Port, result.Best(MailProtocol.Imap)!.Trust));
    }

    [Fact]
    public async Task Srv_records_are_used_and_a_dot_target_means_not_offered()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("_imaps._tcp.srv.test", "SRV", "0 1 993 mail.srv.test.");
        dns.Add("_imap._tcp.srv.test", "SRV", "0 1 143 mail.srv.test.");
        dns.Add("_pop3s._tcp.srv.test", "SRV", "0 0 0 .");
        dns.Add("_submissions._tcp.srv.test", "SRV", "0 1 465 smtp.srv.test.");
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "srv.test");
        Assert.Equal("RFC 6186 SRV", result.Mechanism);
        Assert.Equal((993, SocketSecurity.Ssl, SettingsTrust.Dns), (result.Best(MailProtocol.Imap)!.Port, result.Best(MailProtocol.Imap)!.Security, result.Best(MailProtocol.Imap)!.Trust));
        Assert.Null(result.Best(MailProtocol.Pop3));
        Assert.Contains(result.Steps, s => s.Target == "_pop3s._tcp.srv.test" && s.Detail.Contains("not offered", StringComparison.Ordinal));
        Assert.Equal("smtp.srv.test", result.Best(MailProtocol.Smtp)!.Host);
    }

    [Fact]
    public async Task Guessing_probes_our_own_server_implicit_tls_first()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.guess.test", "A", "127.0.5.30");
        dns.Add("pop3.guess.test", "A", "127.0.5.30");
        await using var server = await DiscoveryTestKit.StartLetterboxAsync(_pki, "127.0.5.30", ["imap.guess.test", "pop3.guess.test"], "jo@guess.test");
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "guess.test");
        Assert.Equal("guess", result.Mechanism);
        Assert.Equal(("imap.guess.test", 993, SocketSecurity.Ssl, SettingsTrust.Verified), (result.Best(MailProtocol.Imap)!.Host, result.Best(MailProtocol.Imap)!.Port, result.Best(MailProtocol.Imap)!.Security, result.Best(MailProtocol.Imap)!.Trust));
        Assert.Equal(("pop3.guess.test", 995), (result.Best(MailProtocol.Pop3)!.Host, result.Best(MailProtocol.Pop3)!.Port));
        Assert.Null(result.Best(MailProtocol.Smtp));
        Assert.DoesNotContain(result.Steps, s => s.Target == "imap.guess.test:143 STARTTLS"); // 993 answered first
    }

    [Fact]
    public async Task Guessing_reports_a_plaintext_only_server_as_insecure()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("imap.plain.test", "A", "127.0.5.31");
        await using var server = new FakeMailServer("127.0.5.31", 143, MailProtocol.Imap, FakeMode.PlainOnly);
        using var discoverer = DiscoveryTestKit.Discoverer(dns, _pki);
        var result = await discoverer.DiscoverAsync("jo", "plain.test");
        var imap = result.Best(MailProtocol.Imap)!;
        Assert.Equal((SocketSecurity.None, SettingsTrust.Guessed), (imap.Security, imap.Trust));
        Assert.Contains(imap.Warnings, w => w.StartsWith("INSECURE", StringComparison.Ordinal));
        Assert.Contains("NONE (insecure)", ReportFormat.ToTable(result), StringComparison.Ordinal);
    }
}
