using System.Net;
using Letterbox.Net.Dns;
using Letterbox.Smtp.Authentication;
using Letterbox.Tests.Dns;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>
/// One DNS zone for the SPF table, modelled on RFC 7208 Appendix A (with .test names): the evaluator
/// asks a real DNS server over UDP through DnsClient.
/// </summary>
public sealed class SpfZone : IAsyncLifetime
{
    public TestDnsServer Dns { get; } = TestDnsServer.Start();

    public SpfEvaluator Evaluator { get; }

    public SpfZone()
    {
        Evaluator = new SpfEvaluator(new LookupClientDns(DnsLookup.Create(Dns.Options)), "mx.receiver.test");
        var d = Dns;
        // Appendix A's example.com.
        d.Add("example.test", "A", "192.0.2.10").Add("example.test", "A", "192.0.2.11");
        d.Add("example.test", "MX", "10 a.example.test.").Add("example.test", "MX", "20 b.example.test.");
        d.Add("a.example.test", "A", "192.0.2.1");
        d.Add("b.example.test", "A", "192.0.2.2").Add("b.example.test", "AAAA", "2001:db8::2");
        d.Add("example.test", "TXT", "v=spf1 mx -all");
        d.Add("other.test", "MX", "10 mail-c.other.test.");
        d.Add("mail-c.other.test", "A", "192.0.2.140");

        d.Add("all.test", "TXT", "v=spf1 +all");
        d.Add("softfail.test", "TXT", "v=spf1 ~all");
        d.Add("neutral.test", "TXT", "v=spf1 ?all");
        d.Add("nomatch.test", "TXT", "v=spf1 ip4:192.0.2.250");
        d.Add("notspf.test", "TXT", "some other text");
        d.Add("two.test", "TXT", "v=spf1 -all").Add("two.test", "TXT", "v=spf1 +all");
        d.Add("syntax.test", "TXT", "v=spf1 a:1.2.3.4 -all");
        d.Add("split.test", "TXT", "\"v=spf1 ip4:192.0.2.77\" \" -all\"");

        d.Add("arec.test", "A", "192.0.2.10").Add("arec.test", "TXT", "v=spf1 a -all");
        d.Add("atarget.test", "TXT", "v=spf1 a:example.test -all");
        d.Add("a24.test", "A", "192.0.2.10").Add("a24.test", "TXT", "v=spf1 a/24 -all");
        d.Add("mx30.test", "MX", "10 a.example.test.").Add("mx30.test", "TXT", "v=spf1 mx/30 -all");
        d.Add("mxother.test", "TXT", "v=spf1 mx mx:other.test -all");
        d.Add("mx6.test", "MX", "10 b.example.test.").Add("mx6.test", "TXT", "v=spf1 mx//64 -all");

        d.Add("ptrdom.test", "TXT", "v=spf1 ptr -all");
        d.Add("65.2.0.192.in-addr.arpa", "PTR", "amy.ptrdom.test.");
        d.Add("amy.ptrdom.test", "A", "192.0.2.65");
        d.Add("66.2.0.192.in-addr.arpa", "PTR", "bob.ptrdom.test.");
        d.Add("bob.ptrdom.test", "A", "192.0.2.99");

        d.Add("ip4.test", "TXT", "v=spf1 ip4:192.0.2.128/28 -all");
        d.Add("ip6.test", "TXT", "v=spf1 ip6:2001:db8:1::/48 -all");
        d.Add("inc.test", "TXT", "v=spf1 include:ip4.test -all");
        d.Add("incnone.test", "TXT", "v=spf1 include:nothing.test -all");
        d.Add("redir.test", "TXT", "v=spf1 redirect=ip4.test");
        d.Add("redirnone.test", "TXT", "v=spf1 redirect=nothing.test");
        d.Add("redirall.test", "TXT", "v=spf1 -all redirect=all.test");
        d.Add("exists.test", "TXT", "v=spf1 exists:%{ir}.list.exists.test -all");
        d.Add("1.2.0.192.list.exists.test", "A", "127.0.0.2");
        d.Add("macro.test", "TXT", "v=spf1 exists:%{l}.users.%{d} -all");
        d.Add("alice.users.macro.test", "A", "127.0.0.2");
        d.Add("helo.test", "TXT", "v=spf1 exists:%{h}.helos.helo.test -all");
        d.Add("good.example.helos.helo.test", "A", "127.0.0.2");
        d.Add("pmacro.test", "TXT", "v=spf1 exists:%{p}.names.pmacro.test -all");
        d.Add("amy.ptrdom.test.names.pmacro.test", "A", "127.0.0.2");
        d.Add("exp.test", "TXT", "v=spf1 -all exp=why.exp.test");
        d.Add("why.exp.test", "TXT", "%{i} is not one of %{d}'s designated mail servers.");

        // §4.6.4 limits.
        d.Add("loop.test", "TXT", "v=spf1 include:loop.test -all");
        var ten = string.Join(' ', Enumerable.Range(1, 10).Select(i => $"a:h{i}.lim.test"));
        d.Add("ten.test", "TXT", $"v=spf1 {ten} -all");
        d.Add("eleven.test", "TXT", $"v=spf1 {ten} a:h11.lim.test -all");
        for (var i = 1; i <= 11; i++)
        {
            d.Add($"h{i}.lim.test", "A", "198.51.100.1");
        }
        d.Add("twovoid.test", "TXT", "v=spf1 a:v1.void.test a:v2.void.test -all");
        d.Add("threevoid.test", "TXT", "v=spf1 a:v1.void.test a:v2.void.test a:v3.void.test -all");
        d.Add("manymx.test", "TXT", "v=spf1 mx -all");
        for (var i = 1; i <= 11; i++)
        {
            d.Add("manymx.test", "MX", $"{i} m{i}.manymx.test.");
        }

        // DNS trouble.
        d.Add("afail.test", "TXT", "v=spf1 a:broken.test -all");
        d.Add("incfail.test", "TXT", "v=spf1 include:broken.test -all");
        d.ServFail("broken.test");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Dns.DisposeAsync().AsTask();
}

/// <summary>RFC 7208 check_host() table against a real DNS server.</summary>
public class SpfEvaluatorTests(SpfZone zone) : IClassFixture<SpfZone>
{
    private Task<SpfOutcome> CheckAsync(string ip, string domain, string? sender = null, string helo = "mx.sender.test")
        => zone.Evaluator.CheckHostAsync(IPAddress.Parse(ip), domain, sender ?? "user@" + domain, helo);

    [Theory]
    // Results of "all" with each qualifier; no match at all is neutral (§4.7).
    [InlineData("all.test", "203.0.113.9", SpfResult.Pass)]
    [InlineData("softfail.test", "203.0.113.9", SpfResult.SoftFail)]
    [InlineData("neutral.test", "203.0.113.9", SpfResult.Neutral)]
    [InlineData("nomatch.test", "203.0.113.9", SpfResult.Neutral)]
    // No record: none (§4.5); two records or a syntax error: permerror.
    [InlineData("nothing.test", "192.0.2.1", SpfResult.None)]
    [InlineData("notspf.test", "192.0.2.1", SpfResult.None)]
    [InlineData("two.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("syntax.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("single-label", "192.0.2.1", SpfResult.None)]
    // A record of several TXT strings is one record (§3.3).
    [InlineData("split.test", "192.0.2.77", SpfResult.Pass)]
    [InlineData("split.test", "192.0.2.78", SpfResult.Fail)]
    // a, with a target and with CIDR (§5.3, §5.6).
    [InlineData("arec.test", "192.0.2.10", SpfResult.Pass)]
    [InlineData("arec.test", "192.0.2.99", SpfResult.Fail)]
    [InlineData("atarget.test", "192.0.2.11", SpfResult.Pass)]
    [InlineData("atarget.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("a24.test", "192.0.2.200", SpfResult.Pass)]
    [InlineData("a24.test", "192.0.3.1", SpfResult.Fail)]
    // mx (§5.4), Appendix A.1.
    [InlineData("example.test", "192.0.2.1", SpfResult.Pass)]
    [InlineData("example.test", "192.0.2.2", SpfResult.Pass)]
    [InlineData("example.test", "192.0.2.10", SpfResult.Fail)]
    [InlineData("example.test", "2001:db8::2", SpfResult.Pass)]
    [InlineData("example.test", "2001:db8::3", SpfResult.Fail)]
    [InlineData("mx30.test", "192.0.2.3", SpfResult.Pass)]
    [InlineData("mx30.test", "192.0.2.4", SpfResult.Fail)]
    [InlineData("mxother.test", "192.0.2.140", SpfResult.Pass)]
    [InlineData("mx6.test", "2001:db8::ffff", SpfResult.Pass)]
    [InlineData("mx6.test", "2001:db8:0:1::2", SpfResult.Fail)]
    // ptr (§5.5): the name must validate forward and lie in the domain.
    [InlineData("ptrdom.test", "192.0.2.65", SpfResult.Pass)]
    [InlineData("ptrdom.test", "192.0.2.66", SpfResult.Fail)]
    [InlineData("ptrdom.test", "192.0.2.67", SpfResult.Fail)]
    // ip4 / ip6 with CIDR (§5.6); an IPv4-mapped address is IPv4 (§5).
    [InlineData("ip4.test", "192.0.2.129", SpfResult.Pass)]
    [InlineData("ip4.test", "192.0.2.143", SpfResult.Pass)]
    [InlineData("ip4.test", "192.0.2.144", SpfResult.Fail)]
    [InlineData("ip4.test", "::ffff:192.0.2.130", SpfResult.Pass)]
    [InlineData("ip4.test", "2001:db8:1::1", SpfResult.Fail)]
    [InlineData("ip6.test", "2001:db8:1:2::5", SpfResult.Pass)]
    [InlineData("ip6.test", "2001:db8:2::1", SpfResult.Fail)]
    [InlineData("ip6.test", "192.0.2.1", SpfResult.Fail)]
    // include (§5.2): an inner fail does not match; an included domain without SPF is permerror.
    [InlineData("inc.test", "192.0.2.129", SpfResult.Pass)]
    [InlineData("inc.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("incnone.test", "192.0.2.1", SpfResult.PermError)]
    // redirect (§6.1): used only when nothing matched; a target without SPF is permerror.
    [InlineData("redir.test", "192.0.2.129", SpfResult.Pass)]
    [InlineData("redir.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("redirnone.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("redirall.test", "192.0.2.1", SpfResult.Fail)]
    // exists with macros (§5.7, §7).
    [InlineData("exists.test", "192.0.2.1", SpfResult.Pass)]
    [InlineData("exists.test", "192.0.2.2", SpfResult.Fail)]
    // Lookup limits (§4.6.4): 10 lookups are allowed, the 11th is permerror; 2 void lookups allowed, the 3rd is permerror; 10 MX names.
    [InlineData("loop.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("ten.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("eleven.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("twovoid.test", "192.0.2.1", SpfResult.Fail)]
    [InlineData("threevoid.test", "192.0.2.1", SpfResult.PermError)]
    [InlineData("manymx.test", "192.0.2.1", SpfResult.PermError)]
    // SERVFAIL is temperror (§4.4, §5), also inside include.
    [InlineData("broken.test", "192.0.2.1", SpfResult.TempError)]
    [InlineData("afail.test", "192.0.2.1", SpfResult.TempError)]
    [InlineData("incfail.test", "192.0.2.1", SpfResult.TempError)]
    public async Task Check_host_gives_the_rfc_result(string domain, string ip, SpfResult expected)
    {
        var outcome = await CheckAsync(ip, domain);
        Assert.True(expected == outcome.Result, $"{domain} from {ip}: expected {expected}, got {outcome.Result} ({outcome.Reason})");
    }

    [Fact]
    public async Task Local_part_and_helo_macros_use_the_sender_and_the_helo_name()
    {
        Assert.Equal(SpfResult.Pass, (await CheckAsync("192.0.2.1", "macro.test", "alice@macro.test")).Result);
        Assert.Equal(SpfResult.Fail, (await CheckAsync("192.0.2.1", "macro.test", "bob@macro.test")).Result);
        Assert.Equal(SpfResult.Pass, (await CheckAsync("192.0.2.1", "helo.test", helo: "good.example")).Result);
        Assert.Equal(SpfResult.Fail, (await CheckAsync("192.0.2.1", "helo.test", helo: "bad.example")).Result);
    }

    [Fact]
    public async Task The_p_macro_is_the_validated_reverse_name()
    {
        Assert.Equal(SpfResult.Pass, (await CheckAsync("192.0.2.65", "pmacro.test")).Result);
        // 192.0.2.66's PTR name does not point back to it: %{p} is "unknown".
        Assert.Equal(SpfResult.Fail, (await CheckAsync("192.0.2.66", "pmacro.test")).Result);
    }

    [Fact]
    public async Task A_fail_carries_the_domains_explanation()
    {
        var outcome = await CheckAsync("192.0.2.1", "exp.test");
        Assert.Equal(SpfResult.Fail, outcome.Result);
        Assert.Equal("192.0.2.1 is not one of exp.test's designated mail servers.", outcome.Explanation);
    }

    [Fact]
    public async Task The_lookup_limit_stops_asking_dns()
    {
        var before = zone.Dns.Queries.Count(q => q.Name == "loop.test");
        Assert.Equal(SpfResult.PermError, (await CheckAsync("192.0.2.1", "loop.test")).Result);
        // The first TXT lookup plus at most 10 include lookups.
        Assert.InRange(zone.Dns.Queries.Count(q => q.Name == "loop.test") - before, 1, 11);
    }
}
