using System.Net;
using Letterbox.Core;
using Letterbox.Core.Security;
using Letterbox.Core.Spf;
using Letterbox.Discovery;
using Letterbox.Discovery.Doctor;
using Letterbox.Discovery.Probing;
using Letterbox.Net.Dns;
using Letterbox.Tests.Dns;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Discovery;

/// <summary>The server doctor against our own server on 127.0.5.50 and test DNS zones, good and broken.</summary>
public sealed class ServerDoctorTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Good_domain_passes_and_broken_mx_records_are_explained()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mx.sd.test", "A", "127.0.5.50");
        dns.Add("50.5.0.127.in-addr.arpa", "PTR", "mx.sd.test.");
        dns.Add("good.test", "MX", "10 mx.sd.test.");
        dns.Add("good.test", "TXT", "v=spf1 mx -all");
        dns.Add("_dmarc.good.test", "TXT", "v=DMARC1; p=reject");
        dns.Add("_mta-sts.good.test", "TXT", "v=STSv1; id=20261128");
        dns.Add("_imaps._tcp.good.test", "SRV", "0 1 993 mx.sd.test.");
        dns.Add("_imap._tcp.good.test", "SRV", "0 1 143 mx.sd.test.");
        dns.Add("_pop3s._tcp.good.test", "SRV", "0 1 995 mx.sd.test.");
        dns.Add("_pop3._tcp.good.test", "SRV", "0 1 110 mx.sd.test.");
        dns.Add("autoconfig.good.test", "A", "127.0.5.50");
        dns.Add("autodiscover.good.test", "A", "127.0.5.50");
        dns.Add("mta-sts.good.test", "A", "127.0.5.50");
        // other.test's second MX is not in the policy the server publishes (mx: mx.sd.test only).
        dns.Add("other.test", "MX", "10 mx.sd.test.");
        dns.Add("other.test", "MX", "20 backup.sd.test.");
        dns.Add("_mta-sts.other.test", "TXT", "v=STSv1; id=1");
        dns.Add("mta-sts.other.test", "A", "127.0.5.50");
        // gone.test announces a policy that nobody serves any more.
        dns.Add("gone.test", "MX", "10 mx.sd.test.");
        dns.Add("_mta-sts.gone.test", "TXT", "v=STSv1; id=2");
        dns.Add("mta-sts.gone.test", "A", "127.0.5.50");
        dns.Add("cname.test", "MX", "10 alias.cname.test.");
        dns.Add("alias.cname.test", "CNAME", "mx.sd.test.");
        dns.Add("ip.test", "MX", "10 127.0.5.50.");
        dns.Add("ip.test", "TXT", "v=spf1 ipv4:1.2.3.4 -all");

        await using var server = await DiscoveryTestKit.StartLetterboxAsync(_pki, "127.0.5.50", ["mx.sd.test", "autoconfig.good.test", "autodiscover.good.test", "mta-sts.good.test", "mta-sts.other.test", "mta-sts.gone.test"], "alice@good.test");
        await server.Server.Directory.AddDomainAsync("other.test");
        using var certificate = X509CertificateLoaderFromPem(server);
        var lookup = DnsLookup.Create(dns.Options);
        var doctor = new ServerDoctor(lookup, new MailServerProbe(new HostResolver(lookup), DiscoveryTestKit.Options(_pki).Probe));
        var temporary = "";
        using var http = new SettingsHttpClient(new HostResolver(lookup), DiscoveryTestKit.Options(_pki));
        var input = new ServerDoctorInput("mx.sd.test", [IPAddress.Parse("127.0.5.50")], ["good.test"], certificate,
            [new("imaps", MailProtocol.Imap, 993, SocketSecurity.Ssl), new("imap", MailProtocol.Imap, 143, SocketSecurity.StartTls),
             new("pop3s", MailProtocol.Pop3, 995, SocketSecurity.Ssl), new("pop3", MailProtocol.Pop3, 110, SocketSecurity.StartTls)])
        {
            CreateTemporaryAccount = async ct =>
            {
                temporary = "doctor-test@good.test";
                await server.Server.Directory.AddUserAsync(EmailAddress.Parse(temporary), PasswordHasher.Hash("temporary secret", TestServer.CheapHash), ct);
                return new TemporaryAccount(temporary, "temporary secret", () => server.Server.Directory.RemoveUserAsync(EmailAddress.Parse(temporary)));
            },
            Published = (http, 443),
        };

        var good = await doctor.RunAsync(input);
        Assert.True(good.Passed, ReportFormat.ToTable(good));
        Assert.Contains(good.Checks, c => c.Name == "login round-trip" && c.Status == CheckStatus.Pass);
        Assert.Null(await server.Server.Directory.FindUserAsync(temporary));
        Assert.Contains(good.Checks, c => c.Name == "certificate SHA-256" && c.Detail.Length == 95);
        Assert.Contains(good.Checks, c => c.Name == "autoconfig good.test" && c.Status == CheckStatus.Pass && c.Detail.Contains("IMAP mx.sd.test:993 SSL", StringComparison.Ordinal));
        Assert.Contains(good.Checks, c => c.Name == "autodiscover good.test" && c.Status == CheckStatus.Pass && c.Detail.Contains("IMAP mx.sd.test:993 SSL", StringComparison.Ordinal));
        Assert.Contains(good.Checks, c => c.Name == "MTA-STS policy good.test" && c.Status == CheckStatus.Pass && c.Detail == "mode testing, mx mx.sd.test, max_age 604800");

        var broken = await doctor.RunAsync(input with { Domains = ["nomx.test", "cname.test", "ip.test", "other.test", "gone.test"], Listeners = [], CreateTemporaryAccount = null });
        // No autoconfig.nomx.test in DNS: the published settings cannot be reached, and doctor says how to fix it.
        Assert.Contains(broken.Checks, c => c.Name == "autoconfig nomx.test" && c.Status == CheckStatus.Fail && c.Fix!.Contains("point autoconfig.nomx.test at mx.sd.test", StringComparison.Ordinal));
        Assert.False(broken.Passed);
        Assert.Contains(broken.Checks, c => c.Name == "MX nomx.test" && c.Status == CheckStatus.Fail && c.Fix == "publish: nomx.test. IN MX 10 mx.sd.test.");
        Assert.Contains(broken.Checks, c => c.Name == "MX cname.test" && c.Status == CheckStatus.Fail && c.Detail.Contains("is a CNAME", StringComparison.Ordinal));
        Assert.Contains(broken.Checks, c => c.Name == "MX ip.test" && c.Status == CheckStatus.Fail && c.Detail.Contains("IP address", StringComparison.Ordinal));
        Assert.Contains(broken.Checks, c => c.Name == "SPF ip.test" && c.Status == CheckStatus.Fail && c.Detail.Contains("ipv4:1.2.3.4", StringComparison.Ordinal));
        Assert.Contains(broken.Checks, c => c.Name == "autodiscover nomx.test" && c.Status == CheckStatus.Fail && c.Fix!.Contains("point autodiscover.nomx.test at mx.sd.test", StringComparison.Ordinal));
        Assert.Contains(broken.Checks, c => c.Name == "MTA-STS policy other.test" && c.Status == CheckStatus.Warn
            && c.Detail.Contains("MX backup.sd.test not covered", StringComparison.Ordinal) && c.Fix!.Contains("mx: backup.sd.test", StringComparison.Ordinal));
        Assert.Contains(broken.Checks, c => c.Name == "MTA-STS policy gone.test" && c.Status == CheckStatus.Fail
            && c.Detail.Contains("404", StringComparison.Ordinal) && c.Fix!.Contains("or remove the record", StringComparison.Ordinal));
        Assert.DoesNotContain(broken.Checks, c => c.Name == "MTA-STS policy ip.test");
        Assert.Contains(broken.Checks, c => c.Name == "certificate names" && c.Status == CheckStatus.Warn);
    }

    [Fact]
    public async Task Host_name_must_be_fully_qualified()
    {
        await using var dns = TestDnsServer.Start();
        using var certificate = _pki.Issue(["mail"]);
        var lookup = DnsLookup.Create(dns.Options);
        var report = await new ServerDoctor(lookup, new MailServerProbe(new HostResolver(lookup), DiscoveryTestKit.Options(_pki).Probe))
            .RunAsync(new ServerDoctorInput("mail", [], [], certificate, []));
        Assert.Equal(CheckStatus.Fail, Assert.Single(report.Checks).Status);
    }

    // The doctor checks a domain's SPF record with the grammar the SMTP receiver evaluates it with,
    // so what the doctor passes, receivers do not reject as a permerror (RFC 7208 §12, §4.6.4).
    [Theory]
    [InlineData("v=spf1 mx -all", null)]
    [InlineData("v=spf1 ip4:192.0.2.0/24 include:_spf.example.com ~all", null)]
    [InlineData("v=spf1 a:mail.%{d} exp=explain.%{d} -all", null)]
    [InlineData("v=spf1 ipv4:1.2.3.4 -all", "unknown mechanism ipv4:1.2.3.4")]
    [InlineData("v=spf1 include: -all", "invalid mechanism include:")]
    [InlineData("v=spf1 ip4:192.0.2.300 -all", "invalid mechanism ip4:192.0.2.300")]
    [InlineData("v=spf1 ip4:192.0.2.0/33 -all", "invalid mechanism ip4:192.0.2.0/33")]
    [InlineData("v=spf1 a:%{z}.example.com -all", "invalid mechanism a:%{z}.example.com")]
    [InlineData("v=spf1 redirect=a.example redirect=b.example", "more than one redirect modifier")]
    [InlineData("v=spf1 a mx a mx a mx a mx a mx a -all", "11 DNS lookups")]
    [InlineData("v=spf1 a mx a mx a mx a mx a mx redirect=_spf.example.com", "11 DNS lookups")]
    public async Task Spf_record_is_checked_as_receivers_evaluate_it(string record, string? error)
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("spf.test", "TXT", record);
        using var certificate = _pki.Issue(["mail.sd.test"]);
        var lookup = DnsLookup.Create(dns.Options);
        var report = await new ServerDoctor(lookup, new MailServerProbe(new HostResolver(lookup), DiscoveryTestKit.Options(_pki).Probe))
            .RunAsync(new ServerDoctorInput("mail.sd.test", [], ["spf.test"], certificate, []));

        var spf = Assert.Single(report.Checks, c => c.Name == "SPF spf.test");
        if (error is null)
        {
            Assert.Equal(CheckStatus.Pass, spf.Status);
        }
        else
        {
            Assert.Equal(CheckStatus.Fail, spf.Status);
            Assert.Contains(error, spf.Detail, StringComparison.Ordinal);
        }
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 X509CertificateLoaderFromPem(TestServer server) =>
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(server.Server.Options.Tls.CertificatePath!));
}
