using System.Net;
using System.Security.Cryptography;
using System.Text;
using Letterbox.Net.Dns;
using Letterbox.Smtp.Authentication;
using Letterbox.Tests.Dns;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Letterbox.Tests.Smtp.Authentication;

/// <summary>Keys made once for the DKIM/ARC tests (RSA 2048 through .NET's OpenSSL, which is much faster than a managed generator).</summary>
public sealed class DkimKeys
{
    public DkimKeys()
    {
        using var rsa = RSA.Create(2048);
        RsaPem = rsa.ExportRSAPrivateKeyPem();
        RsaRecord = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        Ed25519 = pair.Private;
        // RFC 8463 §4.2: p= is the raw 32-octet public key.
        Ed25519Record = "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(((Ed25519PublicKeyParameters)pair.Public).GetEncoded());
    }

    public string RsaPem { get; }
    public string RsaRecord { get; }
    public AsymmetricKeyParameter Ed25519 { get; }
    public string Ed25519Record { get; }

    public DkimSigner RsaSigner(string domain, string selector) => new(new MemoryStream(Encoding.ASCII.GetBytes(RsaPem)), domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
    };
}

/// <summary>An ARC signer as a forwarding list would run it (MimeKit asks the subclass for the ARC-Authentication-Results).</summary>
internal sealed class ListArcSigner(Stream key, string domain, string selector) : ArcSigner(key, domain, selector, DkimSignatureAlgorithm.RsaSha256)
{
    protected override AuthenticationResults GenerateArcAuthenticationResults(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
    {
        var results = new AuthenticationResults(Domain);
        results.Results.Add(new AuthenticationMethodResult("spf", "pass"));
        return results;
    }

    protected override Task<AuthenticationResults> GenerateArcAuthenticationResultsAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken)
        => Task.FromResult(GenerateArcAuthenticationResults(options, message, cancellationToken));
}

/// <summary>DKIM (RFC 6376, MimeKit's verifier, keys in DNS), DMARC verdicts and ARC (RFC 8617) on whole messages.</summary>
public class MessageAuthenticatorTests(DkimKeys keys) : IClassFixture<DkimKeys>
{
    private const string Receiver = "mx.receiver.test";
    private static readonly IPAddress Designated = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Stranger = IPAddress.Parse("203.0.113.7");
    private static readonly HeaderId[] Signed = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId];

    private TestDnsServer Zone()
    {
        var dns = TestDnsServer.Start();
        dns.Add("example.test", "TXT", "v=spf1 ip4:192.0.2.1 -all");
        dns.Add("_dmarc.example.test", "TXT", "v=DMARC1; p=reject");
        dns.Add("sel._domainkey.example.test", "TXT", keys.RsaRecord);
        dns.Add("ed._domainkey.example.test", "TXT", keys.Ed25519Record);
        dns.Add("arc._domainkey.list.test", "TXT", keys.RsaRecord);
        return dns;
    }

    private static MessageAuthenticator Authenticator(TestDnsServer dns, bool reject = false, bool defer = false, int timeoutSeconds = 20)
        => new(new LookupClientDns(DnsLookup.Create(dns.Options)), Receiver, new AuthenticationPolicy(reject, defer, TimeSpan.FromSeconds(timeoutSeconds)));

    private static MimeMessage NewMessage(string from = "bob@example.test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("alice@example.org"));
        message.Subject = "Quarterly numbers";
        message.Date = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        message.MessageId = "test@example.test";
        message.Body = new TextPart("plain") { Text = "Hello Alice,\r\nthe numbers are in.\r\n" };
        return message;
    }

    private static MemoryStream Wire(MimeMessage message)
    {
        var stream = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, stream);
        stream.Position = 0;
        return stream;
    }

    private static MemoryStream Tampered(MemoryStream wire)
    {
        var text = Encoding.ASCII.GetString(wire.ToArray()).Replace("the numbers are in", "the numbers are up", StringComparison.Ordinal);
        return new MemoryStream(Encoding.ASCII.GetBytes(text));
    }

    [Fact]
    public async Task Rsa_signed_message_passes_dkim_and_dmarc_even_when_spf_fails()
    {
        await using var dns = Zone();
        var message = NewMessage();
        keys.RsaSigner("example.test", "sel").Sign(message, Signed);
        var check = await Authenticator(dns).CheckAsync(Stranger, "mail.example.test", "bob@example.test", Wire(message));
        var dkim = Assert.Single(check.Report.Dkim);
        Assert.Equal((DkimResult.Pass, "example.test", "sel", "rsa-sha256"), (dkim.Result, dkim.Domain, dkim.Selector, dkim.Algorithm));
        Assert.Equal(SpfResult.Fail, check.Report.Spf.Result);
        Assert.Equal(DmarcResult.Pass, check.Report.Dmarc.Result);
        Assert.Equal(AuthenticationVerdict.Deliver, check.Verdict);
        Assert.StartsWith("Authentication-Results: mx.receiver.test;\r\n\tspf=fail (203.0.113.7 is not designated by example.test) smtp.mailfrom=bob@example.test;\r\n\tdkim=pass header.d=example.test header.s=sel header.a=rsa-sha256 header.b=",
            check.Header, StringComparison.Ordinal);
        Assert.EndsWith(";\r\n\tdmarc=pass (p=REJECT dis=NONE) header.from=example.test;\r\n\tarc=none\r\n", check.Header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ed25519_signed_message_passes()
    {
        await using var dns = Zone();
        var message = NewMessage();
        var signer = new DkimSigner(keys.Ed25519, "example.test", "ed", DkimSignatureAlgorithm.Ed25519Sha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Simple,
        };
        signer.Sign(message, Signed);
        var check = await Authenticator(dns).CheckAsync(Stranger, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal((DkimResult.Pass, "ed25519-sha256"), (check.Report.Dkim[0].Result, check.Report.Dkim[0].Algorithm));
        Assert.Equal(DmarcResult.Pass, check.Report.Dmarc.Result);
    }

    [Fact]
    public async Task A_tampered_body_fails_dkim_and_dmarc_reject_goes_to_junk_by_default()
    {
        await using var dns = Zone();
        var message = NewMessage();
        keys.RsaSigner("example.test", "sel").Sign(message, Signed);
        var tampered = Tampered(Wire(message));
        var check = await Authenticator(dns).CheckAsync(Stranger, "mail.example.test", "bob@example.test", tampered);
        Assert.Equal(DkimResult.Fail, check.Report.Dkim[0].Result);
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.Reject), (check.Report.Dmarc.Result, check.Report.Dmarc.Disposition));
        Assert.Equal(AuthenticationVerdict.Junk, check.Verdict);
        Assert.Equal(0, tampered.Position);

        var strict = await Authenticator(dns, reject: true).CheckAsync(Stranger, "mail.example.test", "bob@example.test", Tampered(Wire(message)));
        Assert.Equal(AuthenticationVerdict.Reject, strict.Verdict);
        // From the designated address SPF passes and aligns: DMARC passes despite the broken signature.
        var viaSpf = await Authenticator(dns, reject: true).CheckAsync(Designated, "mail.example.test", "bob@example.test", Tampered(Wire(message)));
        Assert.Equal((SpfResult.Pass, DkimResult.Fail, DmarcResult.Pass, AuthenticationVerdict.Deliver),
            (viaSpf.Report.Spf.Result, viaSpf.Report.Dkim[0].Result, viaSpf.Report.Dmarc.Result, viaSpf.Verdict));
    }

    [Fact]
    public async Task A_missing_key_is_permerror_and_a_dns_failure_temperror()
    {
        await using var dns = Zone();
        var message = NewMessage();
        keys.RsaSigner("example.test", "gone").Sign(message, Signed);
        var check = await Authenticator(dns).CheckAsync(Designated, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal(DkimResult.PermError, check.Report.Dkim[0].Result);
        Assert.Contains("dkim=permerror (no key for signature) header.d=example.test header.s=gone", check.Header, StringComparison.Ordinal);

        dns.ServFail("gone._domainkey.example.test");
        var temporary = await Authenticator(dns).CheckAsync(Stranger, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal(DkimResult.TempError, temporary.Report.Dkim[0].Result);
        // SPF failed and DKIM could not be checked: DMARC is temperror, and the mail is delivered (nothing lost)...
        Assert.Equal((DmarcResult.TempError, AuthenticationVerdict.Deliver), (temporary.Report.Dmarc.Result, temporary.Verdict));
        // ...or deferred with 451 4.4.3 when configured.
        var deferred = await Authenticator(dns, defer: true).CheckAsync(Stranger, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal(AuthenticationVerdict.Defer, deferred.Verdict);
    }

    [Fact]
    public async Task A_malformed_signature_is_neutral()
    {
        await using var dns = Zone();
        var message = NewMessage();
        message.Headers.Insert(0, new Header("DKIM-Signature", "v=1; a=rsa-sha256; d=example.test; s=sel; h=from; bh=; b="));
        var check = await Authenticator(dns).CheckAsync(Designated, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal(DkimResult.Neutral, check.Report.Dkim[0].Result);
    }

    [Fact]
    public async Task An_unsigned_message_is_dkim_none_and_the_null_sender_checks_helo()
    {
        await using var dns = Zone();
        dns.Add("relay.example.test", "TXT", "v=spf1 ip4:192.0.2.1 -all");
        var check = await Authenticator(dns).CheckAsync(Designated, "relay.example.test", "", Wire(NewMessage()));
        Assert.Empty(check.Report.Dkim);
        Assert.Equal((SpfResult.Pass, "smtp.helo", "relay.example.test"), (check.Report.Spf.Result, check.Report.SpfProperty, check.Report.SpfIdentity));
        Assert.Contains("spf=pass (192.0.2.1 is designated by relay.example.test) smtp.helo=relay.example.test;\r\n\tdkim=none;", check.Header, StringComparison.Ordinal);
        // Relaxed alignment: relay.example.test is in example.test's organisational domain.
        Assert.Equal(DmarcResult.Pass, check.Report.Dmarc.Result);
    }

    [Fact]
    public async Task An_arc_sealed_message_verifies_and_a_broken_seal_fails()
    {
        await using var dns = Zone();
        var message = NewMessage();
        keys.RsaSigner("example.test", "sel").Sign(message, Signed);
        var arc = new ListArcSigner(new MemoryStream(Encoding.ASCII.GetBytes(keys.RsaPem)), "list.test", "arc")
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        await arc.SignAsync(message, Signed);
        Assert.Contains(message.Headers, h => h.Id == HeaderId.ArcSeal);
        var check = await Authenticator(dns).CheckAsync(Designated, "mail.example.test", "bob@example.test", Wire(message));
        Assert.Equal(ArcResult.Pass, check.Report.Arc);
        Assert.EndsWith("arc=pass\r\n", check.Header, StringComparison.Ordinal);

        var broken = await Authenticator(dns).CheckAsync(Designated, "mail.example.test", "bob@example.test", Tampered(Wire(message)));
        Assert.Equal(ArcResult.Fail, broken.Report.Arc);
    }

    [Fact]
    public async Task Forged_results_with_our_authserv_id_are_found_others_kept()
    {
        await using var dns = Zone();
        var message = NewMessage();
        message.Headers.Insert(0, new Header("Authentication-Results", "MX.Receiver.test;\r\n dkim=pass header.d=example.test"));
        message.Headers.Insert(1, new Header("Authentication-Results", "relay.other.test; spf=pass smtp.mailfrom=x@other.test"));
        var wire = Wire(message);
        var check = await Authenticator(dns).CheckAsync(Designated, "mail.example.test", "bob@example.test", wire);
        var forged = Assert.Single(check.ForgedFields);
        var text = Encoding.ASCII.GetString(wire.ToArray(), (int)forged.Offset, (int)forged.Length);
        Assert.StartsWith("Authentication-Results: MX.Receiver.test;", text, StringComparison.Ordinal);
        Assert.EndsWith("header.d=example.test\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_that_never_answers_ends_in_temperror_within_the_budget()
    {
        await using var dns = Zone();
        dns.Drop("slow.test");
        var auth = Authenticator(dns, timeoutSeconds: 1);
        var started = DateTime.UtcNow;
        var check = await auth.CheckAsync(Designated, "mail.slow.test", "bob@slow.test", Wire(NewMessage("bob@slow.test")));
        Assert.Equal(SpfResult.TempError, check.Report.Spf.Result);
        Assert.Equal(AuthenticationVerdict.Deliver, check.Verdict);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }
}
