using System.Net;
using System.Text;
using Letterbox.Smtp.Authentication;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>The Authentication-Results header (RFC 8601): writing ours, finding forged ones, cutting them out.</summary>
public class AuthenticationResultsTests
{
    private static readonly DmarcOutcome NoDmarc = new(DmarcResult.None, "example.test", null, DmarcPolicy.None, "no DMARC record");

    [Fact]
    public void The_header_has_one_method_per_line_and_quotes_what_is_not_a_token()
    {
        var report = new AuthenticationReport(new SpfOutcome(SpfResult.SoftFail, "192.0.2.1 is not designated by (weird) example.test"),
            "smtp.mailfrom", "\"odd local\"@example.test",
            [new DkimOutcome(DkimResult.Pass, "example.test", "s1", "rsa-sha256", "AbCdEfGh1234", "ok"), new DkimOutcome(DkimResult.Fail, "other.test", "s2", null, null, "signature did not verify")],
            NoDmarc, ArcResult.None);
        Assert.Equal(
            "Authentication-Results: mx.example.org;\r\n"
            + "\tspf=softfail (192.0.2.1 is not designated by  weird  example.test) smtp.mailfrom=\"\\\"odd local\\\"@example.test\";\r\n"
            + "\tdkim=pass header.d=example.test header.s=s1 header.a=rsa-sha256 header.b=AbCdEfGh1234;\r\n"
            + "\tdkim=fail (signature did not verify) header.d=other.test header.s=s2;\r\n"
            + "\tdmarc=none (no DMARC record) header.from=example.test;\r\n"
            + "\tarc=none\r\n",
            report.ToHeader("mx.example.org"));
    }

    [Theory]
    [InlineData(" mx.example.org; spf=pass", "mx.example.org")]
    [InlineData("mx.example.org 1; spf=pass", "mx.example.org")]
    [InlineData("(our (nested) comment) mx.example.org;", "mx.example.org")]
    [InlineData("\r\n\tmx.example.org;", "mx.example.org")]
    [InlineData("\"mx.example.org\"; none", "mx.example.org")]
    [InlineData("mx.example.org(c);", "mx.example.org")]
    public void The_authserv_id_is_the_first_value(string value, string id) => Assert.Equal(id, ForgedAuthenticationResults.AuthservId(value));

    [Fact]
    public void Forged_fields_are_found_in_the_header_only()
    {
        var message = "Received: from x\r\n\tby y\r\n"
            + "Authentication-Results: MX.example.org;\r\n\tdkim=pass\r\n"
            + "Authentication-Results: other.example; spf=pass\r\n"
            + "authentication-results : mx.example.org; spf=pass\n"
            + "Subject: hi\r\n"
            + "\r\n"
            + "Authentication-Results: mx.example.org; in the body\r\n";
        var bytes = Encoding.ASCII.GetBytes(message);
        var found = ForgedAuthenticationResults.Find(bytes, "mx.example.org");
        Assert.Equal(2, found.Count);
        Assert.Equal("Authentication-Results: MX.example.org;\r\n\tdkim=pass\r\n", Encoding.ASCII.GetString(bytes, (int)found[0].Offset, (int)found[0].Length));
        Assert.Equal("authentication-results : mx.example.org; spf=pass\n", Encoding.ASCII.GetString(bytes, (int)found[1].Offset, (int)found[1].Length));
        Assert.Empty(ForgedAuthenticationResults.Find(bytes, "example.org"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task The_excised_stream_leaves_the_cuts_out_whatever_the_read_size(int readSize)
    {
        var text = "A: 1\r\nX: cut me\r\nB: 2\r\nX: and me\r\n\r\nbody\r\n";
        var first = text.IndexOf("X: cut me", StringComparison.Ordinal);
        var second = text.IndexOf("X: and me", StringComparison.Ordinal);
        var cuts = new[] { new ByteRange(first, "X: cut me\r\n".Length), new ByteRange(second, "X: and me\r\n".Length) };
        using var inner = new MemoryStream(Encoding.ASCII.GetBytes(text));
        await using var excised = new ExcisedStream(inner, cuts);
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = await excised.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }
        Assert.Equal("A: 1\r\nB: 2\r\n\r\nbody\r\n", Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public async Task Names_that_cannot_be_asked_have_no_records()
    {
        await using var dns = Dns.TestDnsServer.Start();
        dns.Add("xn--bcher-kva.test", "TXT", "v=spf1 ip4:192.0.2.1 -all");
        var lookup = new LookupClientDns(Letterbox.Net.Dns.DnsLookup.Create(dns.Options));
        // An internationalised name is asked as its A-label.
        Assert.Equal(DnsStatus.Found, (await lookup.TxtAsync("bücher.test", default)).Status);
        Assert.Equal(DnsStatus.NotFound, (await lookup.TxtAsync(new string('a', 64) + ".test", default)).Status);
        var spf = await new SpfEvaluator(lookup).CheckHostAsync(IPAddress.Parse("192.0.2.1"), "bücher.test", "x@bücher.test", "h");
        Assert.Equal(SpfResult.Pass, spf.Result);
    }
}
