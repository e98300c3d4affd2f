using Letterbox.Core.Options;
using Letterbox.Discovery;
using Letterbox.Discovery.Probing;
using Letterbox.Net.Dns;
using Letterbox.Tests.Dns;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Discovery;

/// <summary>
/// Shared set-up for discovery tests. Each test owns distinct loopback addresses in 127.0.5.0/24
/// and binds the standard ports there (993, 143, 995, 110, 443, 80); names map to them in the test DNS.
/// </summary>
internal static class DiscoveryTestKit
{
    public static DiscoveryOptions Options(TestPki pki, string ispdbUrl = "") => new()
    {
        IspdbUrl = ispdbUrl,
        HttpTimeout = TimeSpan.FromSeconds(5),
        Probe = new ProbeOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            // Long enough for a loaded CI machine; a silent implicit-TLS port costs one of these.
            ReplyTimeout = TimeSpan.FromSeconds(1.5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            ExtraTrustedRoots = pki.Roots,
        },
    };

    public static MailDiscoverer Discoverer(TestDnsServer dns, TestPki pki, string ispdbUrl = "") =>
        new(DnsLookup.Create(dns.Options), Options(pki, ispdbUrl));

    public static MailServerProbe Probe(TestDnsServer dns, TestPki pki, bool trustTestCa = true)
    {
        var options = Options(pki).Probe;
        return new MailServerProbe(new HostResolver(DnsLookup.Create(dns.Options)), trustTestCa ? options : new ProbeOptions
        {
            ConnectTimeout = options.ConnectTimeout,
            ReplyTimeout = options.ReplyTimeout,
            RetryBaseDelay = options.RetryBaseDelay,
        });
    }

    /// <summary>Our own server on <paramref name="address"/> at 993/143/995/110 with a certificate from the test CA.</summary>
    public static async Task<TestServer> StartLetterboxAsync(TestPki pki, string address, string[] names, string user)
    {
        var pemDirectory = Directory.CreateTempSubdirectory("letterbox-discovery-");
        using var certificate = pki.Issue(names);
        var (certificatePath, keyPath) = TestPki.WritePem(certificate, pemDirectory.FullName);
        return await TestServer.StartAsync(options =>
        {
            options.Tls.CertificatePath = certificatePath;
            options.Tls.KeyPath = keyPath;
            options.HostName = names[0];
            options.Listeners["imaps"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Address = address, Port = 993, Security = ListenerSecurity.ImplicitTls };
            options.Listeners["imap"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Address = address, Port = 143, Security = ListenerSecurity.StartTls };
            options.Listeners["pop3s"] = new ListenerOptions { Protocol = ListenerProtocol.Pop3, Address = address, Port = 995, Security = ListenerSecurity.ImplicitTls };
            options.Listeners["pop3"] = new ListenerOptions { Protocol = ListenerProtocol.Pop3, Address = address, Port = 110, Security = ListenerSecurity.StartTls };
            options.Listeners["https"] = new ListenerOptions { Protocol = ListenerProtocol.Http, Address = address, Port = 443, Security = ListenerSecurity.ImplicitTls };
        }, user);
    }
}
