using Letterbox.Discovery.Documents;

namespace Letterbox.Tests.Discovery;

public class MtaStsPolicyTextTests
{
    [Fact]
    public void Reads_the_policy_with_crlf_or_lf_and_repeated_mx_lines()
    {
        Assert.True(MtaStsPolicyText.TryParse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n", out var crlf, out var error), error);
        Assert.Equal("enforce", crlf!.Mode);
        Assert.Equal(["mail.example.com", "*.example.net"], crlf.MxPatterns);
        Assert.Equal(86400, crlf.MaxAgeSeconds);
        Assert.True(MtaStsPolicyText.TryParse("version: STSv1\nmode: none\nmax_age: 0\nextension: ignored\n", out var lf, out error), error);
        Assert.Empty(lf!.MxPatterns);
    }

    [Theory]
    [InlineData("mode: enforce\r\nmx: a.example\r\nmax_age: 1\r\n", "no \"version: STSv1\" line")]
    [InlineData("version: STSv2\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 1\r\n", "not STSv1")]
    [InlineData("version: STSv1\r\nmode: strict\r\nmx: a.example\r\nmax_age: 1\r\n", "mode is \"strict\"")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\n", "no max_age line")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 31557601\r\n", "not a number of seconds up to 31557600")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: -5\r\n", "not a number of seconds")]
    [InlineData("version: STSv1\r\nmode: testing\r\nmax_age: 60\r\n", "without any mx line")]
    public void Policies_senders_reject_are_explained(string text, string expected)
    {
        Assert.False(MtaStsPolicyText.TryParse(text, out var policy, out var error));
        Assert.Null(policy);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_larger_than_senders_read_is_refused()
    {
        var text = "version: STSv1\r\nmode: testing\r\nmax_age: 60\r\n" + string.Concat(Enumerable.Repeat("mx: host.example.com\r\n", 4000));
        Assert.False(MtaStsPolicyText.TryParse(text, out _, out var error));
        Assert.Contains("larger than", error, StringComparison.Ordinal);
    }

    // RFC 8461 §4.1: the wildcard stands for exactly one leftmost label.
    [Theory]
    [InlineData("mail.example.com", true)]
    [InlineData("MAIL.Example.com.", true)]
    [InlineData("mx1.example.net", true)]
    [InlineData("example.net", false)]
    [InlineData("a.b.example.net", false)]
    [InlineData("mail.example.org", false)]
    public void Mx_hosts_match_exactly_or_by_one_label_wildcard(string host, bool covered)
    {
        var policy = new MtaStsPolicyInfo("enforce", ["mail.example.com", "*.example.net"], 60);
        Assert.Equal(covered, policy.Covers(host));
    }
}
