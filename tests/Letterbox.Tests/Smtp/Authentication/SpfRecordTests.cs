using System.Net;
using Letterbox.Core.Spf;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>The SPF record grammar (RFC 7208 §4.6, §5, §6, §12) and macro expansion (§7), without DNS.</summary>
public class SpfRecordTests
{
    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("v=spf1 -all", true)]
    [InlineData("V=SPF1 -all", true)]
    [InlineData("v=spf10 -all", false)]
    [InlineData("v=spf1-all", false)]
    [InlineData("spf2.0/pra -all", false)]
    [InlineData("", false)]
    public void Records_are_recognised_by_their_version(string text, bool expected) => Assert.Equal(expected, SpfRecord.IsSpfRecord(text));

    [Fact]
    public void Every_mechanism_and_modifier_parses()
    {
        var (record, error) = SpfRecord.Parse("v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx mx:example.org/30 ptr ptr:example.net "
            + "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d} redirect=_spf.example.com exp=explain.%{d} unknown-mod=%{d}");
        Assert.Null(error);
        var m = record!.Mechanisms;
        Assert.Equal(11, m.Count);
        Assert.Equal((SpfQualifier.Pass, SpfMechanismKind.All), (m[0].Qualifier, m[0].Kind));
        Assert.Equal((SpfQualifier.Fail, SpfMechanismKind.Include, "_spf.example.com"), (m[1].Qualifier, m[1].Kind, m[1].DomainSpec));
        Assert.Equal((SpfQualifier.SoftFail, SpfMechanismKind.A, (string?)null, 32, 128), (m[2].Qualifier, m[2].Kind, m[2].DomainSpec, m[2].Ip4Prefix, m[2].Ip6Prefix));
        Assert.Equal((SpfQualifier.Neutral, "mail.example.com", 24, 64), (m[3].Qualifier, m[3].DomainSpec, m[3].Ip4Prefix, m[3].Ip6Prefix));
        Assert.Equal((SpfMechanismKind.Mx, "example.org", 30), (m[5].Kind, m[5].DomainSpec, m[5].Ip4Prefix));
        Assert.Equal((SpfMechanismKind.Ptr, (string?)null), (m[6].Kind, m[6].DomainSpec));
        Assert.Equal((SpfMechanismKind.Ip4, IPAddress.Parse("192.0.2.0"), 24), (m[8].Kind, m[8].Network, m[8].Ip4Prefix));
        Assert.Equal((SpfMechanismKind.Ip6, IPAddress.Parse("2001:db8::"), 32), (m[9].Kind, m[9].Network, m[9].Ip6Prefix));
        Assert.Equal("%{ir}.%{v}._spf.%{d}", m[10].DomainSpec);
        Assert.Equal("_spf.example.com", record.Redirect);
        Assert.Equal("explain.%{d}", record.Explanation);
    }

    [Theory]
    [InlineData("v=spf1 foo -all", "unknown mechanism")]
    [InlineData("v=spf1 a:1.2.3.4 -all", "invalid")] // §7.1 domain-end: the top label must not be numeric
    [InlineData("v=spf1 include -all", "invalid")]
    [InlineData("v=spf1 include: -all", "invalid")]
    [InlineData("v=spf1 exists -all", "invalid")]
    [InlineData("v=spf1 ip4:192.0.2.0/33", "invalid")]
    [InlineData("v=spf1 ip4:192.0.2.0/024", "invalid")]
    [InlineData("v=spf1 ip4:192.0.2", "invalid")]
    [InlineData("v=spf1 ip4:2001:db8::1", "invalid")]
    [InlineData("v=spf1 ip6:192.0.2.1", "invalid")]
    [InlineData("v=spf1 ip6:2001:db8::/129", "invalid")]
    [InlineData("v=spf1 a/33", "invalid")]
    [InlineData("v=spf1 mx//129", "invalid")]
    [InlineData("v=spf1 all:example.com", "invalid")]
    [InlineData("v=spf1 redirect=a.example redirect=b.example", "more than one redirect")]
    [InlineData("v=spf1 exp=a.example exp=b.example", "more than one exp")]
    [InlineData("v=spf1 a:%{x}.example.com", "invalid")]
    [InlineData("v=spf1 a:%{d0}.example.com", "invalid")]
    [InlineData("v=spf1 a:%{c}.example.com", "invalid")] // c, r, t only in explanations (§7.2)
    [InlineData("v=spf1 a:foo%bar.example.com", "invalid")]
    [InlineData("v=spf1 -all moo=%{", "invalid modifier")]
    public void Syntax_errors_are_reported(string text, string error)
    {
        var (record, message) = SpfRecord.Parse(text);
        Assert.Null(record);
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mechanism_names_are_case_insensitive_and_extra_spaces_allowed()
    {
        var (record, _) = SpfRecord.Parse("v=spf1   IP4:192.0.2.1  MX  -ALL ");
        Assert.Equal([SpfMechanismKind.Ip4, SpfMechanismKind.Mx, SpfMechanismKind.All], record!.Mechanisms.Select(m => m.Kind));
    }

    private static readonly SpfMacroContext Rfc = new("strong-bad@email.example.com", "email.example.com", IPAddress.Parse("192.0.2.3"), "mx.example.org");

    // RFC 7208 §7.4 examples.
    [Theory]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    [InlineData("%{h}", "mx.example.org")]
    [InlineData("%{p}", "unknown")]
    [InlineData("%%%_%-", "% %20")]
    [InlineData("%{S}", "strong-bad%40email.example.com")]
    public void Macros_expand_as_in_rfc_7208_section_7_4(string macro, string expected)
        => Assert.Equal(expected, SpfMacro.Expand(macro, Rfc, explanation: false));

    [Fact]
    public void Ipv6_expands_to_dotted_nibbles()
    {
        var context = Rfc with { Ip = IPAddress.Parse("2001:db8::cb01") };
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
            SpfMacro.Expand("%{ir}.%{v}._spf.%{d2}", context, explanation: false));
    }

    [Fact]
    public void Explanation_macros_are_only_for_explanations()
    {
        var context = Rfc with { ReceiverHost = "mx.example.net", Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) };
        Assert.Equal("192.0.2.3 mx.example.net 1700000000", SpfMacro.Expand("%{c} %{r} %{t}", context, explanation: true));
        Assert.Null(SpfMacro.Expand("%{c}", context, explanation: false));
    }

    [Fact]
    public void Long_expansions_lose_labels_on_the_left()
    {
        var longName = string.Join('.', Enumerable.Repeat("abcdefghij", 30)) + ".example.com";
        var truncated = SpfMacro.TruncateDomain(longName);
        Assert.True(truncated.Length <= 253);
        Assert.EndsWith(".example.com", truncated, StringComparison.Ordinal);
        Assert.StartsWith("abcdefghij.", truncated, StringComparison.Ordinal);
    }
}
