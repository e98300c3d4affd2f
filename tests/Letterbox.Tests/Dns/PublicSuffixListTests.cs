using Letterbox.Core.Domains;

namespace Letterbox.Tests.Dns;

public sealed class PublicSuffixListTests
{
    private const string List = """
        // comment
        com
        uk
        co.uk
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        github.io
        公司.cn
        cn
        """;

    private static readonly PublicSuffixList Sample = PublicSuffixList.Parse(new StringReader(List));

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.example.com", "example.com")]
    [InlineData("a.b.example.co.uk", "example.co.uk")]
    [InlineData("MAIL.Example.CO.UK.", "example.co.uk")]
    [InlineData("user.github.io", "user.github.io")]
    [InlineData("www.foo.kawasaki.jp", "www.foo.kawasaki.jp")]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("example.unlisted", "example.unlisted")]
    [InlineData("mail.例子.公司.cn", "xn--fsqu00a.xn--55qx5d.cn")]
    public void Finds_the_registrable_domain(string host, string expected) =>
        Assert.Equal(expected, Sample.GetRegistrableDomain(host));

    [Theory]
    [InlineData("com")]
    [InlineData("co.uk")]
    [InlineData("github.io")]
    [InlineData("foo.kawasaki.jp")]
    [InlineData("unlisted")]
    public void A_public_suffix_has_no_registrable_domain(string host) =>
        Assert.Null(Sample.GetRegistrableDomain(host));

    [Theory]
    [InlineData("mail.example.co.uk", "example.co.uk")]
    [InlineData("smtp.mail.163.com", "163.com")]
    [InlineData("foo.blogspot.com", "foo.blogspot.com")]
    public void The_default_list_knows_real_suffixes(string host, string expected) =>
        Assert.Equal(expected, PublicSuffixList.Default.GetRegistrableDomain(host));
}
