using Letterbox.Core.Domains;
using Letterbox.Net.Dns;
using Letterbox.Smtp.Authentication;
using Letterbox.Tests.Dns;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>DMARC records (RFC 7489 §6.3), discovery (§6.6.3), alignment (§3.1) and p/sp/pct.</summary>
public class DmarcTests
{
    [Fact]
    public void A_full_record_parses()
    {
        var (record, error) = DmarcRecord.Parse("v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=s; pct=50; rua=mailto:d@example.test; fo=1");
        Assert.Null(error);
        Assert.Equal(new DmarcRecord(DmarcPolicy.Reject, DmarcPolicy.Quarantine, DmarcAlignment.Strict, DmarcAlignment.Strict, 50), record);
    }

    [Theory]
    [InlineData("v=DMARC1; p=none", DmarcPolicy.None)]
    [InlineData("v=DMARC1;p=Quarantine", DmarcPolicy.Quarantine)]
    [InlineData("v = DMARC1 ; p = reject ;", DmarcPolicy.Reject)]
    [InlineData("v=DMARC1; rua=mailto:x@example.test", DmarcPolicy.None)] // §6.6.3: no p but rua: p=none
    [InlineData("v=DMARC1; p=bogus; rua=mailto:x@example.test", DmarcPolicy.None)]
    public void Policies_and_defaults(string text, DmarcPolicy policy)
    {
        var record = DmarcRecord.Parse(text).Record!;
        Assert.Equal(policy, record.Policy);
        Assert.Null(record.SubdomainPolicy);
        Assert.Equal(DmarcAlignment.Relaxed, record.DkimAlignment);
        Assert.Equal(DmarcAlignment.Relaxed, record.SpfAlignment);
        Assert.Equal(100, record.Percent);
    }

    [Theory]
    [InlineData("v=DMARC1")]
    [InlineData("v=DMARC1; p=bogus")]
    [InlineData("p=reject; v=DMARC1")]
    [InlineData("v=DMARC2; p=reject")]
    [InlineData("v=spf1 -all")]
    public void Unusable_records_are_refused(string text) => Assert.Null(DmarcRecord.Parse(text).Record);

    [Fact]
    public void Bad_optional_values_fall_back_to_defaults()
    {
        var record = DmarcRecord.Parse("v=DMARC1; p=reject; pct=150; adkim=x; sp=sometimes").Record!;
        Assert.Equal((100, DmarcAlignment.Relaxed, (DmarcPolicy?)null), (record.Percent, record.DkimAlignment, record.SubdomainPolicy));
    }

    private static readonly SpfOutcome SpfPass = new(SpfResult.Pass, "test");
    private static readonly SpfOutcome SpfFail = new(SpfResult.Fail, "test");
    private static DkimOutcome Dkim(DkimResult result, string domain) => new(result, domain, "sel", "rsa-sha256", "abc", "test");

    private static async Task<(TestDnsServer Dns, DmarcEvaluator Evaluator)> ZoneAsync(int sample = 0)
    {
        var dns = TestDnsServer.Start();
        dns.Add("_dmarc.reject.test", "TXT", "v=DMARC1; p=reject");
        dns.Add("_dmarc.quarantine.test", "TXT", "v=DMARC1; p=quarantine");
        dns.Add("_dmarc.none.test", "TXT", "v=DMARC1; p=none");
        dns.Add("_dmarc.sub.test", "TXT", "v=DMARC1; p=reject; sp=none");
        dns.Add("_dmarc.strict.test", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=s");
        dns.Add("_dmarc.half.test", "TXT", "v=DMARC1; p=reject; pct=50");
        dns.Add("_dmarc.two.test", "TXT", "v=DMARC1; p=reject").Add("_dmarc.two.test", "TXT", "v=DMARC1; p=none");
        dns.Add("_dmarc.own.sub.test", "TXT", "v=DMARC1; p=quarantine");
        dns.Add("_dmarc.shop.co.uk", "TXT", "v=DMARC1; p=reject");
        dns.ServFail("_dmarc.broken.test");
        await Task.CompletedTask;
        return (dns, new DmarcEvaluator(new LookupClientDns(DnsLookup.Create(dns.Options)), PublicSuffixList.Default, () => sample));
    }

    [Fact]
    public async Task An_aligned_spf_or_dkim_pass_passes()
    {
        var (dns, dmarc) = await ZoneAsync();
        await using var _ = dns;
        // Relaxed: a subdomain of the From domain's organisational domain is aligned.
        Assert.Equal(DmarcResult.Pass, (await dmarc.EvaluateAsync("reject.test", SpfPass, "bounces.reject.test", [])).Result);
        Assert.Equal(DmarcResult.Pass, (await dmarc.EvaluateAsync("reject.test", SpfFail, "reject.test", [Dkim(DkimResult.Pass, "mail.reject.test")])).Result);
        // A pass for an unrelated domain does not count.
        var unaligned = await dmarc.EvaluateAsync("reject.test", SpfPass, "other.test", [Dkim(DkimResult.Pass, "other.test")]);
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.Reject, DmarcPolicy.Reject), (unaligned.Result, unaligned.Policy, unaligned.Disposition));
        Assert.True(unaligned.RequestsReject);
        // A failed signature of the right domain does not count either.
        Assert.Equal(DmarcResult.Fail, (await dmarc.EvaluateAsync("reject.test", SpfFail, "reject.test", [Dkim(DkimResult.Fail, "reject.test")])).Result);
    }

    [Fact]
    public async Task Strict_alignment_needs_the_exact_domain()
    {
        var (dns, dmarc) = await ZoneAsync();
        await using var _ = dns;
        Assert.Equal(DmarcResult.Fail, (await dmarc.EvaluateAsync("strict.test", SpfPass, "bounces.strict.test", [Dkim(DkimResult.Pass, "mail.strict.test")])).Result);
        Assert.Equal(DmarcResult.Pass, (await dmarc.EvaluateAsync("strict.test", SpfFail, "strict.test", [Dkim(DkimResult.Pass, "STRICT.test")])).Result);
    }

    [Fact]
    public async Task Subdomains_use_the_organisational_record_and_its_sp()
    {
        var (dns, dmarc) = await ZoneAsync();
        await using var _ = dns;
        var sub = await dmarc.EvaluateAsync("news.sub.test", SpfFail, "x.test", []);
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.None), (sub.Result, sub.Policy));
        Assert.False(sub.RequestsQuarantine);
        // The organisational domain itself gets p.
        Assert.Equal(DmarcPolicy.Reject, (await dmarc.EvaluateAsync("sub.test", SpfFail, "x.test", [])).Policy);
        // A subdomain with its own record uses its p, not the parent's sp.
        Assert.Equal(DmarcPolicy.Quarantine, (await dmarc.EvaluateAsync("own.sub.test", SpfFail, "x.test", [])).Policy);
        // No sp: p applies to subdomains (the Public Suffix List makes shop.co.uk the organisational domain).
        Assert.Equal(DmarcPolicy.Reject, (await dmarc.EvaluateAsync("mail.shop.co.uk", SpfFail, "x.test", [])).Policy);
        Assert.Contains(("_dmarc.mail.shop.co.uk", "TXT"), dns.Queries);
        Assert.Contains(("_dmarc.shop.co.uk", "TXT"), dns.Queries);
        Assert.DoesNotContain(("_dmarc.co.uk", "TXT"), dns.Queries);
    }

    [Fact]
    public async Task Pct_sampling_lowers_the_policy_for_messages_outside_the_sample()
    {
        var (inDns, inside) = await ZoneAsync(sample: 10);
        await using (inDns)
        {
            Assert.Equal(DmarcPolicy.Reject, (await inside.EvaluateAsync("half.test", SpfFail, "x.test", [])).Disposition);
        }
        var (outDns, outside) = await ZoneAsync(sample: 75);
        await using (outDns)
        {
            var outcome = await outside.EvaluateAsync("half.test", SpfFail, "x.test", []);
            Assert.Equal((DmarcPolicy.Reject, DmarcPolicy.Quarantine), (outcome.Policy, outcome.Disposition));
            Assert.False(outcome.RequestsReject);
            Assert.True(outcome.RequestsQuarantine);
        }
    }

    [Fact]
    public async Task No_record_two_records_and_dns_errors()
    {
        var (dns, dmarc) = await ZoneAsync();
        await using var _ = dns;
        Assert.Equal(DmarcResult.None, (await dmarc.EvaluateAsync("unknown.test", SpfFail, "x.test", [])).Result);
        Assert.Equal(DmarcResult.None, (await dmarc.EvaluateAsync("two.test", SpfFail, "x.test", [])).Result);
        Assert.Equal(DmarcResult.TempError, (await dmarc.EvaluateAsync("broken.test", SpfFail, "x.test", [])).Result);
        // A temperror in SPF or DKIM could have hidden a pass: no policy is applied.
        var hidden = await dmarc.EvaluateAsync("reject.test", new SpfOutcome(SpfResult.TempError, "dns"), "reject.test", []);
        Assert.Equal(DmarcResult.TempError, hidden.Result);
        Assert.False(hidden.RequestsReject);
        Assert.Equal(DmarcResult.Pass, (await dmarc.EvaluateAsync("reject.test", new SpfOutcome(SpfResult.TempError, "dns"), "reject.test", [Dkim(DkimResult.Pass, "reject.test")])).Result);
    }
}
