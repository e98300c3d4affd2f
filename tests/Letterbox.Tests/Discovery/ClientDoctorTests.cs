using Letterbox.Discovery;
using Letterbox.Discovery.Doctor;
using Letterbox.Discovery.Probing;
using Letterbox.Net.Dns;
using Letterbox.Tests.Dns;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Discovery;

/// <summary>doctor ADDRESS against our own server on 127.0.5.40 and fake ones on 127.0.5.41+.</summary>
public sealed class ClientDoctorTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private ClientDoctor Doctor(TestDnsServer dns, out MailDiscoverer discoverer)
    {
        var lookup = DnsLookup.Create(dns.Options);
        discoverer = new MailDiscoverer(lookup, DiscoveryTestKit.Options(_pki));
        return new ClientDoctor(discoverer, new HostResolver(lookup));
    }

    [Fact]
    public async Task Good_set_up_passes_every_check_including_login_and_select_and_stat()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mail.doc.test", "A", "127.0.5.40");
        await using var server = await DiscoveryTestKit.StartLetterboxAsync(_pki, "127.0.5.40", ["mail.doc.test"], "alice@doc.test");
        var doctor = Doctor(dns, out var discoverer);
        using (discoverer)
        {
            var imap = await doctor.RunAsync(new ClientDoctorRequest("alice", "doc.test") { Host = "mail.doc.test", Port = 993, Security = SocketSecurity.Ssl, Password = TestServer.Password });
            Assert.True(imap.Passed, ReportFormat.ToTable(imap));
            Assert.Contains(imap.Checks, c => c.Name == "SELECT INBOX" && c.Status == CheckStatus.Pass);
            Assert.Contains(imap.Checks, c => c.Name == "certificate" && c.Detail.Contains("mail.doc.test", StringComparison.Ordinal));

            var pop3 = await doctor.RunAsync(new ClientDoctorRequest("alice", "doc.test") { Protocol = MailProtocol.Pop3, Host = "mail.doc.test", Port = 110, Security = SocketSecurity.StartTls, Password = TestServer.Password });
            Assert.True(pop3.Passed, ReportFormat.ToTable(pop3));
            Assert.Contains(pop3.Checks, c => c.Name == "STAT" && c.Status == CheckStatus.Pass);
        }
    }

    [Fact]
    public async Task Wrong_username_form_and_swapped_security_are_explained()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mail.doc2.test", "A", "127.0.5.41");
        await using var server = await DiscoveryTestKit.StartLetterboxAsync(_pki, "127.0.5.41", ["mail.doc2.test"], "alice@doc2.test");
        var doctor = Doctor(dns, out var discoverer);
        using (discoverer)
        {
            var shortName = await doctor.RunAsync(new ClientDoctorRequest("alice", "doc2.test") { Host = "mail.doc2.test", Port = 993, Username = "alice", Password = TestServer.Password });
            Assert.False(shortName.Passed);
            var login = shortName.Checks.Single(c => c.Name == "login");
            Assert.Equal(CheckStatus.Fail, login.Status);
            Assert.Contains("username must be the full address", login.Fix, StringComparison.Ordinal);

            var swapped = await doctor.RunAsync(new ClientDoctorRequest("alice", "doc2.test") { Protocol = MailProtocol.Pop3, Host = "mail.doc2.test", Port = 995, Security = SocketSecurity.StartTls });
            Assert.False(swapped.Passed);
            Assert.Contains(swapped.Checks, c => c.Name == "security" && c.Fix!.StartsWith("port 995 speaks TLS at once: choose SSL/TLS, not STARTTLS", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Certificate_for_another_name_and_a_closed_port_fail_with_the_fix()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("mail.example.test", "A", "127.0.5.42");
        await using var server = new FakeMailServer("127.0.5.42", 993, MailProtocol.Imap, FakeMode.ImplicitTls, _pki.Issue(["mail.hoster.test"]));
        var doctor = Doctor(dns, out var discoverer);
        using (discoverer)
        {
            var report = await doctor.RunAsync(new ClientDoctorRequest("bob", "example.test") { Host = "mail.example.test", Port = 993 });
            var certificate = report.Checks.Single(c => c.Name == "certificate");
            Assert.Equal(CheckStatus.Fail, certificate.Status);
            Assert.Contains("certificate is for mail.hoster.test, not mail.example.test", certificate.Detail, StringComparison.Ordinal);

            var closed = await doctor.RunAsync(new ClientDoctorRequest("bob", "example.test") { Host = "mail.example.test", Port = 143, Security = SocketSecurity.StartTls });
            Assert.Contains(closed.Checks, c => c.Name == "connect" && c.Status == CheckStatus.Fail && c.Fix!.Contains("connection refused", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Provider_username_rules_are_checked_before_connecting()
    {
        await using var dns = TestDnsServer.Start();
        var doctor = Doctor(dns, out var discoverer);
        using (discoverer)
        {
            var report = await doctor.RunAsync(new ClientDoctorRequest("li", "163.com") { Host = "imap.163.com", Port = 993, Username = "li" });
            Assert.Contains(report.Checks, c => c.Name == "username" && c.Fix == "username must be the full address: li@163.com");
            Assert.False(report.Passed);
        }
    }
}
