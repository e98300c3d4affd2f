using Letterbox.Core;

namespace Letterbox.Tests.Accounts;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Mail.Example.COM", "mail.example.com")]            // RFC 4343 case folding
    [InlineData("example.com.", "example.com")]                     // absolute name, root dot removed
    [InlineData("  example.com  ", "example.com")]
    [InlineData("a-b.example", "a-b.example")]
    [InlineData("3com.com", "3com.com")]                            // RFC 1123 §2.1: labels may start with a digit
    [InlineData("123.example.org", "123.example.org")]              // only the TLD may not be numeric
    [InlineData("bücher.example", "xn--bcher-kva.example")]         // IDNA
    [InlineData("BÜCHER.Example", "xn--bcher-kva.example")]         // UTS #46 maps case before Punycode
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]  // A-label input kept
    [InlineData("XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("bücher\u3002example", "xn--bcher-kva.example")]    // ideographic full stop is a dot
    [InlineData("xn--p1ai", "xn--p1ai")]                            // single label allowed when not requiring FQDN
    public void Valid_names_are_normalised(string input, string expected)
    {
        Assert.True(HostName.TryParse(input, requireFullyQualified: false, out var host, out var error), error);
        Assert.Equal(expected, host.Value);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(".", "root")]
    [InlineData("foo_bar.example.com", "label 'foo_bar' contains '_': host names may use only letters, digits and hyphens (RFC 1123")]
    [InlineData("foo bar.example.com", "contains a space")]
    [InlineData("-foo.example.com", "label '-foo' starts with a hyphen")]
    [InlineData("foo-.example.com", "label 'foo-' ends with a hyphen")]
    [InlineData("foo..example.com", "empty label")]
    [InlineData(".example.com", "empty label")]
    [InlineData("example.com..", "empty label")]
    [InlineData("example.123", "top-level label '123' is all digits")]
    [InlineData("192.0.2.1", "is an IP address")]
    [InlineData("[192.0.2.1]", "is an IP address")]
    [InlineData("2001:db8::1", "is an IP address")]
    [InlineData("xn--zz.example", "not a valid A-label")]
    [InlineData("mail", "not fully qualified")]
    [InlineData("localhost.", "not fully qualified")]
    [InlineData("bü_cher.example", "internationalised")]
    public void Invalid_names_name_the_rule(string? input, string expectedFragment)
    {
        Assert.False(HostName.TryParse(input, requireFullyQualified: true, out _, out var error));
        Assert.NotNull(error);
        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_of_63_octets_pass_and_64_fail()
    {
        var ok = new string('a', 63) + ".example";
        Assert.True(HostName.TryParse(ok, true, out var host, out _));
        Assert.Equal(ok, host.Value);

        Assert.False(HostName.TryParse(new string('a', 64) + ".example", true, out _, out var error));
        Assert.Contains("64 octets long: labels may have at most 63", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_of_253_octets_pass_and_254_fail()
    {
        // 4 labels of 61 + "." separators = 247, plus ".abcde" = 253.
        var label = new string('a', 61);
        var name253 = $"{label}.{label}.{label}.{label}.abcde";
        Assert.Equal(253, name253.Length);
        Assert.True(HostName.TryParse(name253, true, out var host, out var error), error);
        Assert.Equal(name253, host.Value);
        Assert.True(HostName.TryParse(name253 + ".", true, out _, out _));   // trailing dot does not count

        var name254 = $"{label}.{label}.{label}.{label}.abcdef";
        Assert.Equal(254, name254.Length);
        Assert.False(HostName.TryParse(name254, true, out _, out error));
        Assert.Contains("254 octets long: at most 253", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_limits_apply_to_the_A_label_form()
    {
        // 30 'ü' encode to a Punycode label longer than 63 octets.
        Assert.False(HostName.TryParse(new string('ü', 60) + ".example", true, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Fully_qualified_requirement_is_optional()
    {
        Assert.True(HostName.TryParse("localhost", requireFullyQualified: false, out var host, out _));
        Assert.Equal("localhost", host.Value);
        Assert.False(HostName.TryParse("localhost", requireFullyQualified: true, out _, out _));
    }

    [Theory]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("xn--r8jz45g.xn--zckzah", "例え.テスト")]
    [InlineData("example.com", "example.com")]
    public void Display_gives_U_labels(string aLabel, string expected)
        => Assert.Equal(expected, new HostName(aLabel).Display);

    [Fact]
    public void Globalization_is_not_invariant_so_IDNA_maps_case()
    {
        // Under InvariantGlobalization, IdnMapping skips UTS #46 mapping and "Ü" gives a different A-label.
        Assert.False(AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant);
        Assert.True(HostName.TryParse("Ü.example", true, out var host, out _));
        Assert.Equal("xn--tda.example", host.Value);
    }
}
