using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Letterbox.Core.Options;
using Letterbox.Settings;
using Letterbox.Settings.Documents;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Settings;

public class DocumentTests
{
    private static readonly XNamespace Envelope = AutodiscoverDocument.EnvelopeSchema;
    private static readonly XNamespace Outlook = AutodiscoverDocument.ResponseSchema;

    private static XDocument ParseStrict(string text)
    {
        Assert.False(text.StartsWith('\uFEFF'), "document starts with a byte-order mark");
        var bytes = new UTF8Encoding(false).GetBytes(text);
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF);
        using var reader = XmlReader.Create(new MemoryStream(bytes), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [Fact]
    public void Autoconfig_lists_imap_then_pop3_with_exact_socket_types_and_placeholder_username()
    {
        var xml = AutoconfigDocument.Write(SettingsFixtures.Standard(), "example.com");
        var doc = ParseStrict(xml);
        Assert.Equal("clientConfig", doc.Root!.Name.LocalName);
        Assert.Equal("1.1", doc.Root.Attribute("version")!.Value);
        var provider = doc.Root.Element("emailProvider")!;
        Assert.Equal("example.com", provider.Attribute("id")!.Value);
        Assert.Equal("example.com", provider.Element("domain")!.Value);
        var incoming = provider.Elements("incomingServer").ToList();
        Assert.Equal(["imap", "imap", "pop3", "pop3"], incoming.Select(e => e.Attribute("type")!.Value));
        Assert.Equal(["993", "143", "995", "110"], incoming.Select(e => e.Element("port")!.Value));
        Assert.Equal(["SSL", "STARTTLS", "SSL", "STARTTLS"], incoming.Select(e => e.Element("socketType")!.Value));
        Assert.All(incoming, e => Assert.Equal("%EMAILADDRESS%", e.Element("username")!.Value));
        Assert.All(incoming, e => Assert.Equal("mail.example.com", e.Element("hostname")!.Value));
        Assert.All(incoming, e => Assert.Equal("password-cleartext", e.Element("authentication")!.Value));
        Assert.Empty(provider.Elements("outgoingServer"));
    }

    [Fact]
    public void Autoconfig_publishes_a_configured_outgoing_server_last()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "smtp.provider.net", Port = 465, Security = ListenerSecurity.ImplicitTls });
        var provider = ParseStrict(AutoconfigDocument.Write(settings, "example.com")).Root!.Element("emailProvider")!;
        var outgoing = Assert.Single(provider.Elements("outgoingServer"));
        Assert.Equal("smtp", outgoing.Attribute("type")!.Value);
        Assert.Equal("smtp.provider.net", outgoing.Element("hostname")!.Value);
        Assert.Equal("465", outgoing.Element("port")!.Value);
        Assert.Equal("SSL", outgoing.Element("socketType")!.Value);
        Assert.Equal("outgoingServer", provider.Elements().Last().Name.LocalName);
    }

    [Fact]
    public void Autoconfig_leaves_out_plaintext_only_services()
    {
        var options = new LetterboxOptions();
        options.Listeners["imap"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Port = 143, Security = ListenerSecurity.None };
        var xml = AutoconfigDocument.Write(MailServerSettings.FromOptions(options, "mail.example.com"), "example.com");
        Assert.Empty(ParseStrict(xml).Descendants("incomingServer"));
    }

    [Fact]
    public void Autodiscover_response_has_one_protocol_per_type_with_outlook_flags()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "smtp.provider.net", Port = 587, Security = ListenerSecurity.StartTls });
        var doc = ParseStrict(AutodiscoverDocument.Write(settings, "bob@example.com"));
        Assert.Equal(Envelope + "Autodiscover", doc.Root!.Name);
        var account = doc.Root.Element(Outlook + "Response")!.Element(Outlook + "Account")!;
        Assert.Equal("email", account.Element(Outlook + "AccountType")!.Value);
        Assert.Equal("settings", account.Element(Outlook + "Action")!.Value);
        var protocols = account.Elements(Outlook + "Protocol").ToList();
        Assert.Equal(["IMAP", "POP3", "SMTP"], protocols.Select(p => p.Element(Outlook + "Type")!.Value));
        Assert.Equal(["993", "995", "587"], protocols.Select(p => p.Element(Outlook + "Port")!.Value));
        Assert.Equal(["SSL", "SSL", "TLS"], protocols.Select(p => p.Element(Outlook + "Encryption")!.Value));
        Assert.All(protocols, p =>
        {
            Assert.Equal("bob@example.com", p.Element(Outlook + "LoginName")!.Value);
            Assert.Equal("off", p.Element(Outlook + "SPA")!.Value);
            Assert.Equal("on", p.Element(Outlook + "SSL")!.Value);
            Assert.Equal("on", p.Element(Outlook + "AuthRequired")!.Value);
        });
        Assert.Equal("smtp.provider.net", protocols[2].Element(Outlook + "Server")!.Value);
    }

    [Fact]
    public void Autodiscover_error_document_carries_the_code()
    {
        var doc = ParseStrict(AutodiscoverDocument.WriteError(600, "Invalid Request"));
        Assert.Equal("600", doc.Descendants(Envelope + "ErrorCode").Single().Value);
    }

    [Fact]
    public void Autodiscover_request_is_parsed_with_and_without_namespaces()
    {
        var body = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="{AutodiscoverDocument.RequestSchema}">
              <Request>
                <EMailAddress> bob@example.com </EMailAddress>
                <AcceptableResponseSchema>{AutodiscoverDocument.ResponseSchema}</AcceptableResponseSchema>
              </Request>
            </Autodiscover>
            """;
        var request = AutodiscoverRequest.Parse(Encoding.UTF8.GetBytes(body), out var error);
        Assert.Null(error);
        Assert.Equal(new AutodiscoverRequest("bob@example.com", AutodiscoverDocument.ResponseSchema), request);
        var bare = AutodiscoverRequest.Parse("<Autodiscover><Request><EMailAddress>a@b.example</EMailAddress></Request></Autodiscover>"u8.ToArray(), out _);
        Assert.Equal("a@b.example", bare!.EmailAddress);
    }

    [Theory]
    [InlineData("<Autodiscover><Request><EMailAddress>a@b.example</Request></Autodiscover>")]
    [InlineData("not xml at all")]
    [InlineData("")]
    [InlineData("<Autodiscover><Request></Request></Autodiscover>")]
    [InlineData("<Autodiscover><Request><EMailAddress><x/></EMailAddress></Request></Autodiscover>")]
    public void Malformed_autodiscover_requests_are_refused_without_exceptions(string body)
    {
        Assert.Null(AutodiscoverRequest.Parse(Encoding.UTF8.GetBytes(body), out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void External_entities_are_never_resolved()
    {
        using var dir = new TempDirectory();
        var secret = Path.Combine(dir.Path, "secret.txt");
        File.WriteAllText(secret, "TOP-SECRET");
        var xxe = $"""
            <?xml version="1.0"?>
            <!DOCTYPE Autodiscover [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
            <Autodiscover><Request><EMailAddress>&xxe;</EMailAddress></Request></Autodiscover>
            """;
        Assert.Null(AutodiscoverRequest.Parse(Encoding.UTF8.GetBytes(xxe), out var error));
        Assert.Contains("DTD", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("TOP-SECRET", error, StringComparison.Ordinal);
        var laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [ <!ENTITY lol "lol"> <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"> ]>
            <Autodiscover><Request><EMailAddress>&lol2;@example.com</EMailAddress></Request></Autodiscover>
            """;
        Assert.Null(AutodiscoverRequest.Parse(Encoding.UTF8.GetBytes(laughs), out _));
    }

    [Fact]
    public void Autodiscover_json_redirect_and_error_shapes()
    {
        using var redirect = System.Text.Json.JsonDocument.Parse(AutodiscoverJson.WriteRedirect("https://mail.example.com/autodiscover/autodiscover.xml"));
        Assert.Equal("AutodiscoverV1", redirect.RootElement.GetProperty("Protocol").GetString());
        Assert.Equal("https://mail.example.com/autodiscover/autodiscover.xml", redirect.RootElement.GetProperty("Url").GetString());
        using var error = System.Text.Json.JsonDocument.Parse(AutodiscoverJson.WriteError("InvalidProtocol", "it's 'x'"));
        Assert.Equal("it's 'x'", error.RootElement.GetProperty("ErrorMessage").GetString());
    }

    [Fact]
    public async Task Apple_profile_is_a_valid_plist_for_python_plistlib()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "smtp.provider.net", Port = 465, Security = ListenerSecurity.ImplicitTls });
        var profile = AppleMailProfile.Write(settings, "bob@example.com")!;
        Assert.False(profile.StartsWith('\uFEFF'));
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "mail.mobileconfig");
        await File.WriteAllTextAsync(path, profile, new UTF8Encoding(false));
        var script = """
            import json, plistlib, sys
            p = plistlib.load(open(sys.argv[1], 'rb'))
            m = p['PayloadContent'][0]
            print(json.dumps({k: m[k] for k in ['PayloadType', 'EmailAccountType', 'IncomingMailServerHostName', 'IncomingMailServerPortNumber', 'IncomingMailServerUseSSL', 'IncomingMailServerUsername', 'IncomingMailServerAuthentication', 'OutgoingMailServerHostName', 'OutgoingMailServerPortNumber', 'PayloadUUID']} | {'top': p['PayloadType'], 'version': p['PayloadVersion'], 'uuid': p['PayloadUUID']}))
            """;
        var result = await ExternalProcess.RunAsync("python3", ["-c", script, path]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal("com.apple.mail.managed", root.GetProperty("PayloadType").GetString());
        Assert.Equal("EmailTypeIMAP", root.GetProperty("EmailAccountType").GetString());
        Assert.Equal("mail.example.com", root.GetProperty("IncomingMailServerHostName").GetString());
        Assert.Equal(993, root.GetProperty("IncomingMailServerPortNumber").GetInt32());
        Assert.True(root.GetProperty("IncomingMailServerUseSSL").GetBoolean());
        Assert.Equal("bob@example.com", root.GetProperty("IncomingMailServerUsername").GetString());
        Assert.Equal("EmailAuthPassword", root.GetProperty("IncomingMailServerAuthentication").GetString());
        Assert.Equal("smtp.provider.net", root.GetProperty("OutgoingMailServerHostName").GetString());
        Assert.Equal("Configuration", root.GetProperty("top").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.NotEqual(root.GetProperty("uuid").GetString(), root.GetProperty("PayloadUUID").GetString());
    }

    [Fact]
    public void Apple_profile_uuids_are_stable_per_address_and_host()
    {
        var settings = SettingsFixtures.Standard();
        var first = AppleMailProfile.Write(settings, "bob@example.com")!;
        Assert.Equal(first, AppleMailProfile.Write(settings, "bob@example.com"));
        var uuids = Uuids(first);
        Assert.Equal(uuids, Uuids(AppleMailProfile.Write(settings, "Bob@Example.com")!));
        Assert.Equal(2, uuids.Count);
        Assert.All(uuids, u => Assert.Matches("^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$", u));
        Assert.Empty(uuids.Intersect(Uuids(AppleMailProfile.Write(settings, "carol@example.com")!)));
        Assert.Empty(uuids.Intersect(Uuids(AppleMailProfile.Write(settings with { HostName = "other.example.com" }, "bob@example.com")!)));
    }

    [Fact]
    public void Apple_profile_falls_back_to_pop3_and_is_absent_without_tls_services()
    {
        var options = new LetterboxOptions();
        options.Listeners["pop3s"] = new ListenerOptions { Protocol = ListenerProtocol.Pop3, Port = 995, Security = ListenerSecurity.ImplicitTls };
        Assert.Contains("EmailTypePOP", AppleMailProfile.Write(MailServerSettings.FromOptions(options, "mail.example.com"), "a@example.com"), StringComparison.Ordinal);
        Assert.Null(AppleMailProfile.Write(new MailServerSettings("mail.example.com", [], null), "a@example.com"));
    }

    private static List<string> Uuids(string profile)
        => [.. ParseStrict(profile).Descendants("key").Where(k => k.Value == "PayloadUUID").Select(k => k.ElementsAfterSelf().First().Value)];

    [Fact]
    public void Pacc_document_names_implicit_tls_hosts_and_its_digest_matches_the_bytes()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "smtp.provider.net", Port = 465, Security = ListenerSecurity.ImplicitTls });
        var document = PaccDocument.Write(settings);
        using var json = System.Text.Json.JsonDocument.Parse(document);
        var protocols = json.RootElement.GetProperty("protocols");
        Assert.Equal("mail.example.com", protocols.GetProperty("imap").GetProperty("host").GetString());
        Assert.Equal("smtp.provider.net", protocols.GetProperty("smtp").GetProperty("host").GetString());
        var record = PaccDocument.DigestRecord(document);
        Assert.Equal("v=UAAC1; a=sha256; d=" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(document))), record);
        Assert.False(PaccDocument.Write(SettingsFixtures.Standard()).Contains("smtp", StringComparison.Ordinal));
    }

    [Fact]
    public void Mta_sts_policy_follows_rfc8461_and_its_id_tracks_the_policy()
    {
        var policy = MtaStsPolicy.Write("mail.example.com", "testing", 604800);
        Assert.Equal("version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n", policy);
        var id = MtaStsPolicy.Id(policy);
        Assert.Matches("^[a-z0-9]{1,32}$", id);
        Assert.Equal(id, MtaStsPolicy.Id(MtaStsPolicy.Write("mail.example.com", "testing", 604800)));
        Assert.NotEqual(id, MtaStsPolicy.Id(MtaStsPolicy.Write("mail.example.com", "enforce", 604800)));
    }
}
