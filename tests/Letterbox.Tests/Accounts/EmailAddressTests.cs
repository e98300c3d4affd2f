using Letterbox.Core;

namespace Letterbox.Tests.Accounts;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("alice@example.com", "alice", "example.com")]
    [InlineData("  Alice@Example.COM \t", "Alice", "example.com")]          // local part kept as typed, domain folded
    [InlineData("first.last@example.com", "first.last", "example.com")]
    [InlineData("a+tag@example.com", "a+tag", "example.com")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com")]
    [InlineData("jörg@bücher.example", "jörg", "xn--bcher-kva.example")]   // RFC 6531 local part, A-label domain
    [InlineData("用户@例え.テスト", "用户", "xn--r8jz45g.xn--zckzah")]
    [InlineData("a@example.com.", "a", "example.com")]
    public void Valid_addresses(string input, string local, string domain)
    {
        Assert.True(EmailAddress.TryParse(input, out var address, out var error), error);
        Assert.Equal(local, address!.LocalPart);
        Assert.Equal(domain, address.Domain);
        Assert.Equal($"{local}@{domain}", address.ToString());
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("alice", "has no '@'")]
    [InlineData("@example.com", "nothing before the '@'")]
    [InlineData("alice@", "nothing after the '@'")]
    [InlineData("a@b@example.com", "more than one '@'")]
    [InlineData(".alice@example.com", "starts with a dot")]
    [InlineData("alice.@example.com", "ends with a dot")]
    [InlineData("al..ice@example.com", "two dots in a row")]
    [InlineData("al ice@example.com", "contains a space")]
    [InlineData("al(ice@example.com", "contains '('")]
    [InlineData("al\u0001ice@example.com", "contains U+0001")]
    [InlineData("al\u200Bice@example.com", "contains U+200B")]             // invisible format character
    [InlineData("\"al ice\"@example.com", "quoted local parts")]
    [InlineData("\"a@b\"@example.com", "quoted local parts")]
    [InlineData("alice@localhost", "not fully qualified")]
    [InlineData("alice@exa_mple.com", "label 'exa_mple' contains '_'")]
    [InlineData("alice@[192.0.2.1]", "address literals")]
    [InlineData("alice@192.0.2.1", "is an IP address")]
    public void Invalid_addresses_say_why(string? input, string fragment)
    {
        Assert.False(EmailAddress.TryParse(input, out var address, out var error));
        Assert.Null(address);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_part_limit_is_64_octets_counted_in_UTF8()
    {
        Assert.True(EmailAddress.TryParse(new string('a', 64) + "@example.com", out _, out _));
        Assert.False(EmailAddress.TryParse(new string('a', 65) + "@example.com", out _, out var error));
        Assert.Contains("65 octets long: at most 64", error, StringComparison.Ordinal);

        // 33 'ä' = 66 octets in UTF-8 although only 33 characters.
        Assert.False(EmailAddress.TryParse(new string('ä', 33) + "@example.com", out _, out error));
        Assert.Contains("66 octets", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_part_is_normalised_to_NFC()
    {
        // "ö" as o + combining diaeresis is the same address as the precomposed form.
        Assert.True(EmailAddress.TryParse("jo\u0308rg@example.com", out var decomposed, out _));
        Assert.Equal("j\u00F6rg", decomposed!.LocalPart);
    }

    [Fact]
    public void Parse_throws_FormatException_with_the_reason()
    {
        var e = Assert.Throws<FormatException>(() => EmailAddress.Parse("nobody"));
        Assert.Contains("has no '@'", e.Message, StringComparison.Ordinal);
    }
}
