using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Letterbox.Core.Options;
using Letterbox.Net.Dns;

namespace Letterbox.Tests.Dns;

/// <summary>Letterbox's resolver (DnsClient, built from DnsOptions) against the in-process test DNS server.</summary>
public sealed class DnsLookupTests
{
    [Fact]
    public async Task Answers_each_record_type_as_added()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("example.test", "A", "192.0.2.10")
            .Add("example.test", "AAAA", "2001:db8::10")
            .Add("example.test", "MX", "10 mx.example.test.")
            .Add("example.test", "TXT", "v=spf1 mx -all")
            .Add("_imaps._tcp.example.test", "SRV", "0 1 993 mail.example.test.")
            .Add("10.2.0.192.in-addr.arpa", "PTR", "mail.example.test.")
            .Add("_25._tcp.mail.example.test", "TLSA", "3 1 1 0A0B0C");
        var lookup = DnsLookup.Create(dns.Options);

        var a = await lookup.QueryAsync("example.test", QueryType.A);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Assert.Single(a.Answers.ARecords()).Address);
        var aaaa = await lookup.QueryAsync("example.test", QueryType.AAAA);
        Assert.Equal(IPAddress.Parse("2001:db8::10"), Assert.Single(aaaa.Answers.AaaaRecords()).Address);
        var mx = Assert.Single((await lookup.QueryAsync("EXAMPLE.test", QueryType.MX)).Answers.MxRecords());
        Assert.Equal((10, "mx.example.test."), (mx.Preference, mx.Exchange.Value));
        Assert.Equal("v=spf1 mx -all", Assert.Single(Assert.Single((await lookup.QueryAsync("example.test", QueryType.TXT)).Answers.TxtRecords()).Text));
        var srv = Assert.Single((await lookup.QueryAsync("_imaps._tcp.example.test", QueryType.SRV)).Answers.SrvRecords());
        Assert.Equal((0, 1, 993, "mail.example.test."), (srv.Priority, srv.Weight, srv.Port, srv.Target.Value));
        var ptr = Assert.Single((await lookup.QueryReverseAsync(IPAddress.Parse("192.0.2.10"))).Answers.PtrRecords());
        Assert.Equal("mail.example.test.", ptr.PtrDomainName.Value);
        var tlsa = Assert.Single((await lookup.QueryAsync("_25._tcp.mail.example.test", QueryType.TLSA)).Answers.OfType<TlsaRecord>());
        Assert.Equal("0A0B0C", Convert.ToHexString(tlsa.CertificateAssociationData.ToArray()));
        Assert.Contains(("example.test", "MX"), dns.Queries);
    }

    [Fact]
    public async Task Follows_cnames_and_tells_nxdomain_from_nodata()
    {
        await using var dns = TestDnsServer.Start();
        dns.Add("autoconfig.example.test", "CNAME", "mail.example.test.").Add("mail.example.test", "A", "192.0.2.20");
        var lookup = DnsLookup.Create(dns.Options);

        var a = await lookup.QueryAsync("autoconfig.example.test", QueryType.A);
        Assert.Single(a.Answers.CnameRecords());
        Assert.Equal(IPAddress.Parse("192.0.2.20"), Assert.Single(a.Answers.ARecords()).Address);

        var nodata = await lookup.QueryAsync("mail.example.test", QueryType.MX);
        Assert.False(nodata.HasError);
        Assert.Empty(nodata.Answers);
        // "example.test" owns no record but names below it exist: an empty non-terminal, not NXDOMAIN.
        Assert.False((await lookup.QueryAsync("example.test", QueryType.A)).HasError);

        var missing = await lookup.QueryAsync("nothing.example.test", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);
    }

    [Fact]
    public async Task Long_txt_records_arrive_whole_over_udp_or_tcp()
    {
        await using var dns = TestDnsServer.Start();
        // A 2048-bit DKIM key is ~400 octets: more than one 255-octet string.
        var key = "v=DKIM1; k=rsa; p=" + new string('A', 392);
        dns.Add("sel._domainkey.example.test", "TXT", key);
        // Enough of them to pass 512 octets (TC over UDP, then TCP).
        for (var i = 0; i < 6; i++)
        {
            dns.Add("big.example.test", "TXT", "record " + i + " " + new string('x', 200));
        }
        var lookup = DnsLookup.Create(dns.Options);

        var txt = Assert.Single((await lookup.QueryAsync("sel._domainkey.example.test", QueryType.TXT)).Answers.TxtRecords());
        Assert.Equal(key, string.Concat(txt.Text));
        Assert.Equal(6, (await lookup.QueryAsync("big.example.test", QueryType.TXT)).Answers.TxtRecords().Count());
    }

    [Fact]
    public async Task Servfail_and_silence_are_errors_not_answers()
    {
        await using var dns = TestDnsServer.Start();
        dns.ServFail("broken.example.test");
        dns.Drop("silent.example.test");
        var options = dns.Options;
        options.TimeoutMs = 200;
        var lookup = DnsLookup.Create(options);

        var failed = await lookup.QueryAsync("broken.example.test", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.ServerFailure, failed.Header.ResponseCode);
        await Assert.ThrowsAsync<DnsResponseException>(() => lookup.QueryAsync("silent.example.test", QueryType.TXT));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("::1", "[::1]:53")]
    public void Parses_configured_servers(string text, string expected) =>
        Assert.Equal(expected, DnsLookup.ParseServer(text).ToString());

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    public void Refuses_a_server_that_is_not_an_address(string text) =>
        Assert.Throws<FormatException>(() => DnsLookup.Create(new DnsOptions { Servers = [text] }));
}
