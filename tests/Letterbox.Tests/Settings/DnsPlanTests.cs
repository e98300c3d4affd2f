using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Letterbox.Cli;
using Letterbox.Core.Options;
using Letterbox.Settings.Dns;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Settings;

public class DnsPlanTests
{
    private static DnsPlanInput Input(Letterbox.Settings.MailServerSettings? settings = null, byte[]? spki = null, int? httpsPort = 443, string mode = "testing")
        => new(settings ?? SettingsFixtures.Standard(), ["example.com", "example.org"], ["192.0.2.10"], ["2001:db8::10"], "--ipv4/--ipv6", spki, mode, 604800, 25, httpsPort);

    private static string Zone(IReadOnlyList<DnsRecord> records)
    {
        var writer = new StringWriter();
        DnsPlanWriter.WriteZone(writer, records, ["a note"]);
        return writer.ToString();
    }

    [Fact]
    public void Plan_has_every_record_for_every_domain_and_the_zone_text_parses()
    {
        var zone = ZoneLines.Parse(Zone(DnsPlan.Build(Input())));
        ZoneRecord One(string name, string type) => Assert.Single(zone, r => r.Name == name && r.Type == type);
        Assert.Equal("192.0.2.10", One("mail.example.com.", "A").Data);
        Assert.Equal("2001:db8::10", One("mail.example.com.", "AAAA").Data);
        foreach (var domain in new[] { "example.com", "example.org" })
        {
            Assert.Equal("10 mail.example.com.", One(domain + ".", "MX").Data);
            Assert.Equal("0 1 993 mail.example.com.", One($"_imaps._tcp.{domain}.", "SRV").Data);
            Assert.Equal("10 1 143 mail.example.com.", One($"_imap._tcp.{domain}.", "SRV").Data);
            Assert.Equal("0 1 995 mail.example.com.", One($"_pop3s._tcp.{domain}.", "SRV").Data);
            Assert.Equal("10 1 110 mail.example.com.", One($"_pop3._tcp.{domain}.", "SRV").Data);
            Assert.Equal("0 0 0 .", One($"_submissions._tcp.{domain}.", "SRV").Data);
            Assert.Equal("0 0 0 .", One($"_submission._tcp.{domain}.", "SRV").Data);
            Assert.Equal("0 0 443 mail.example.com.", One($"_autodiscover._tcp.{domain}.", "SRV").Data);
            Assert.Equal("mail.example.com.", One($"autoconfig.{domain}.", "CNAME").Data);
            Assert.Equal("mail.example.com.", One($"autodiscover.{domain}.", "CNAME").Data);
            Assert.Equal("mail.example.com.", One($"mta-sts.{domain}.", "CNAME").Data);
            Assert.Equal("\"v=spf1 -all\"", One(domain + ".", "TXT").Data);
            Assert.Equal($"\"v=DMARC1; p=none; rua=mailto:postmaster@{domain}\"", One($"_dmarc.{domain}.", "TXT").Data);
            Assert.Matches("^\"v=STSv1; id=[a-z0-9]{1,32}\"$", One($"_mta-sts.{domain}.", "TXT").Data);
            Assert.Equal($"\"v=TLSRPTv1; rua=mailto:postmaster@{domain}\"", One($"_smtp._tls.{domain}.", "TXT").Data);
            Assert.StartsWith("\"v=UAAC1; a=sha256; d=", One($"_ua-auto-config.{domain}.", "TXT").Data, StringComparison.Ordinal);
        }
        // A CNAME owner must have no other data (RFC 1034 §3.6.2).
        var cnames = zone.Where(r => r.Type == "CNAME").Select(r => r.Name).ToHashSet();
        Assert.All(zone.Where(r => r.Type != "CNAME"), r => Assert.DoesNotContain(r.Name, cnames));
        // Every record has its reason on the line before it.
        var lines = Zone(DnsPlan.Build(Input())).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains("\tIN\t", StringComparison.Ordinal))
            {
                Assert.StartsWith("; ", lines[i - 1], StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Configured_submission_server_fills_its_srv_and_spf()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "smtp.provider.net", Port = 465, Security = ListenerSecurity.ImplicitTls });
        var zone = ZoneLines.Parse(Zone(DnsPlan.Build(Input(settings))));
        Assert.Equal("0 1 465 smtp.provider.net.", Assert.Single(zone, r => r.Name == "_submissions._tcp.example.com.").Data);
        Assert.Equal("0 0 0 .", Assert.Single(zone, r => r.Name == "_submission._tcp.example.com.").Data);
        Assert.Equal("\"v=spf1 a:smtp.provider.net -all\"", Assert.Single(zone, r => r.Name == "example.com." && r.Type == "TXT").Data);
    }

    [Fact]
    public void Without_https_or_with_mta_sts_none_the_served_records_are_left_out()
    {
        var noHttps = DnsPlan.Build(Input(httpsPort: null));
        Assert.DoesNotContain(noHttps, r => r.Name.StartsWith("autoconfig.", StringComparison.Ordinal) || r.Name.StartsWith("_mta-sts.", StringComparison.Ordinal) || r.Name.StartsWith("_autodiscover.", StringComparison.Ordinal));
        Assert.Contains(noHttps, r => r.Name == "_dmarc.example.com");
        Assert.DoesNotContain(DnsPlan.Build(Input(mode: "none")), r => r.Name.Contains("mta-sts", StringComparison.Ordinal));
    }

    [Fact]
    public void Long_txt_values_are_split_into_255_octet_strings()
    {
        var zone = Zone([new DnsRecord("example.com", "TXT", new string('a', 300) + "\"q\"", "why")]);
        var data = ZoneLines.Parse(zone).Single().Data;
        Assert.Equal("\"" + new string('a', 255) + "\" \"" + new string('a', 45) + "\\\"q\\\"\"", data);
    }

    [Fact]
    public async Task Tlsa_matches_openssl_spki_sha256_of_the_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mail.example.com", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var dir = new TempDirectory();
        var pem = Path.Combine(dir.Path, "cert.pem");
        await File.WriteAllTextAsync(pem, cert.ExportCertificatePem());
        var openssl = await ExternalProcess.RunAsync("sh", ["-c", $"openssl x509 -in '{pem}' -pubkey -noout | openssl pkey -pubin -outform der | sha256sum"]);
        Assert.True(openssl.ExitCode == 0, openssl.ToString());
        var expected = openssl.Output.Split(' ')[0].Trim();
        Assert.Matches("^[0-9a-f]{64}$", expected);
        var plan = DnsPlan.Build(Input(spki: cert.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal("3 1 1 " + expected, Assert.Single(plan, r => r.Name == "_25._tcp.mail.example.com" && r.Type == "TLSA").Value);
    }

    private static RootCommand Root()
    {
        var cli = new CliOptions();
        var root = new RootCommand("letterbox (test)");
        cli.AddTo(root);
        root.Subcommands.Add(DomainCommands.Create(cli.Load));
        root.Subcommands.Add(DnsCommand.Create(cli));
        return root;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Root().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null })
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Dns_command_prints_a_parsable_zone_and_json_for_hosted_domains()
    {
        using var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "data");
        string[] common = ["--data-dir", data, "--hostname", "mail.example.com", "--config", await EmptyConfigAsync(dir)];
        Assert.Equal(1, (await RunAsync([.. common, "dns"])).Code);
        Assert.Equal(0, (await RunAsync([.. common, "domain", "add", "example.com"])).Code);
        Assert.Equal(0, (await RunAsync([.. common, "domain", "add", "bücher.example"])).Code);

        var zone = await RunAsync([.. common, "dns", "--ipv4", "192.0.2.10", "--ipv6", "2001:db8::10"]);
        Assert.True(zone.Code == 0, zone.Error);
        var records = ZoneLines.Parse(zone.Output);
        Assert.Contains(records, r => r is { Name: "xn--bcher-kva.example.", Type: "MX", Data: "10 mail.example.com." });
        Assert.Contains(records, r => r is { Name: "example.com.", Type: "MX" });
        Assert.Contains(records, r => r is { Name: "mail.example.com.", Type: "A", Data: "192.0.2.10" });
        Assert.Contains(records, r => r.Type == "TLSA");
        Assert.Contains("--ipv4/--ipv6", zone.Output, StringComparison.Ordinal);

        var only = await RunAsync([.. common, "dns", "--domain", "EXAMPLE.com", "--format", "json", "--ipv4", "192.0.2.10"]);
        Assert.True(only.Code == 0, only.Error);
        using var json = JsonDocument.Parse(only.Output);
        var names = json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Contains("example.com.", names);
        Assert.DoesNotContain(names, n => n.Contains("xn--", StringComparison.Ordinal));
        Assert.All(json.RootElement.GetProperty("records").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("comment").GetString())));

        var unhosted = await RunAsync([.. common, "dns", "--domain", "other.example"]);
        Assert.Equal(1, unhosted.Code);
        Assert.Contains("not hosted", unhosted.Error, StringComparison.Ordinal);
        var badAddress = await RunAsync([.. common, "dns", "--ipv4", "2001:db8::1"]);
        Assert.Equal(1, badAddress.Code);
    }

    [Fact]
    public async Task Dns_command_says_where_addresses_came_from_when_none_are_given()
    {
        using var dir = new TempDirectory();
        string[] common = ["--data-dir", Path.Combine(dir.Path, "data"), "--hostname", "mail.example.com", "--config", await EmptyConfigAsync(dir)];
        Assert.Equal(0, (await RunAsync([.. common, "domain", "add", "example.com"])).Code);
        var result = await RunAsync([.. common, "dns"]);
        Assert.True(result.Code == 0, result.Error);
        var records = ZoneLines.Parse(result.Output);
        // Either addresses were detected (and the note names the interfaces) or there are none and the note says how to give them.
        Assert.True(
            records.Any(r => r.Type is "A" or "AAAA") ? result.Output.Contains("detected on", StringComparison.Ordinal) : result.Output.Contains("pass --ipv4", StringComparison.OrdinalIgnoreCase),
            result.Output);
    }

    private static async Task<string> EmptyConfigAsync(TempDirectory dir)
    {
        var path = Path.Combine(dir.Path, "letterbox.json");
        await File.WriteAllTextAsync(path, "{}");
        return path;
    }
}
