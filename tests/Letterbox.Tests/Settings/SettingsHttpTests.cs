using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Letterbox.Core.Options;
using Letterbox.Settings.Documents;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Settings;

/// <summary>The settings endpoints through a real server on loopback port 0, with HttpClient, curl and raw sockets.</summary>
public sealed class SettingsHttpTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private IPEndPoint Http => _server.Server.EndPoint("http");
    private IPEndPoint Https => _server.Server.EndPoint("https");

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(o =>
        {
            o.HostName = "mail.example.org";
            o.Listeners["http"] = new ListenerOptions { Protocol = ListenerProtocol.Http, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.None };
            o.Listeners["https"] = new ListenerOptions { Protocol = ListenerProtocol.Http, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.ImplicitTls };
            o.ClientSettings.MaxRequestBodyBytes = 4096;
            o.ClientSettings.RequestTimeoutSeconds = 5;
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpClient Client() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    private async Task<HttpResponseMessage> GetAsync(string path, string? host = null, bool tls = false)
    {
        using var client = Client();
        var endPoint = tls ? Https : Http;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{(tls ? "https" : "http")}://127.0.0.1:{endPoint.Port}{path}");
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        return await client.SendAsync(request);
    }

    private static string AutodiscoverRequestXml(string address) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="{AutodiscoverDocument.RequestSchema}">
          <Request>
            <EMailAddress>{address}</EMailAddress>
            <AcceptableResponseSchema>{AutodiscoverDocument.ResponseSchema}</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """;

    [Theory]
    [InlineData("/mail/config-v1.1.xml", "autoconfig.example.org")]
    [InlineData("/mail/config-v1.1.xml", "example.org")]
    [InlineData("/mail/config-v1.1.xml", "AUTOCONFIG.Example.ORG.")]
    [InlineData("/.well-known/autoconfig/mail/config-v1.1.xml", "example.org")]
    [InlineData("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=nobody%40example.org", "mail.example.org")]
    [InlineData("/Mail/Config-v1.1.xml?emailaddress=alice@example.org", null)]
    public async Task Autoconfig_is_served_for_hosted_domains_by_host_or_address(string path, string? host)
    {
        using var response = await GetAsync(path, host);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(0xEF, bytes[0]);
        var doc = XDocument.Parse(Encoding.UTF8.GetString(bytes));
        Assert.Equal("example.org", doc.Root!.Element("emailProvider")!.Element("domain")!.Value);
        var first = doc.Root.Element("emailProvider")!.Elements("incomingServer").First();
        Assert.Equal(_server.Imaps.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Element("port")!.Value);
        Assert.Equal("SSL", first.Element("socketType")!.Value);
    }

    [Theory]
    [InlineData("/mail/config-v1.1.xml", "autoconfig.other.example")]
    [InlineData("/mail/config-v1.1.xml?emailaddress=bob%40other.example", "example.org")]
    [InlineData("/mail/config-v1.1.xml", "127.0.0.1")]
    [InlineData("/autodiscover/autodiscover.xml?email=bob@other.example", "example.org")]
    [InlineData("/apple/mail.mobileconfig?email=bob@other.example", null)]
    [InlineData("/.well-known/user-agent-configuration.json", "ua-auto-config.other.example")]
    [InlineData("/.well-known/mta-sts.txt", "mta-sts.other.example")]
    [InlineData("/.well-known/mta-sts.txt", "example.org")]
    [InlineData("/no/such/path", "example.org")]
    public async Task Unhosted_domains_and_unknown_paths_get_404(string path, string? host)
    {
        using var response = await GetAsync(path, host);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/autodiscover/autodiscover.xml")]
    [InlineData("/Autodiscover/Autodiscover.xml")]
    [InlineData("/AUTODISCOVER/AUTODISCOVER.XML")]
    public async Task Autodiscover_post_over_https_answers_in_any_path_case(string path)
    {
        using var client = Client();
        using var response = await client.PostAsync($"https://127.0.0.1:{Https.Port}{path}", new StringContent(AutodiscoverRequestXml("alice@example.org"), Encoding.UTF8, "text/xml"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = AutodiscoverDocument.ResponseSchema;
        var imap = doc.Descendants(ns + "Protocol").First();
        Assert.Equal("IMAP", imap.Element(ns + "Type")!.Value);
        Assert.Equal("mail.example.org", imap.Element(ns + "Server")!.Value);
        Assert.Equal(_server.Imaps.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), imap.Element(ns + "Port")!.Value);
        Assert.Equal("alice@example.org", imap.Element(ns + "LoginName")!.Value);
    }

    [Fact]
    public async Task Autodiscover_get_with_address_and_without()
    {
        using var ok = await GetAsync("/autodiscover/autodiscover.xml?Email=alice%40example.org", tls: true);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("<LoginName>alice@example.org</LoginName>", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var bad = await GetAsync("/autodiscover/autodiscover.xml", tls: true);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("<ErrorCode>600</ErrorCode>", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_enumeration_an_existing_and_a_missing_user_get_the_same_bytes()
    {
        using var client = Client();
        async Task<string> Post(string address)
        {
            using var r = await client.PostAsync($"https://127.0.0.1:{Https.Port}/autodiscover/autodiscover.xml", new StringContent(AutodiscoverRequestXml(address), Encoding.UTF8, "text/xml"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return (await r.Content.ReadAsStringAsync()).Replace(address, "ADDRESS", StringComparison.Ordinal);
        }
        Assert.Equal(await Post("alice@example.org"), await Post("nobody@example.org"));
        async Task<string> Profile(string address)
        {
            using var r = await GetAsync("/apple/mail.mobileconfig?email=" + Uri.EscapeDataString(address), tls: true);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("application/x-apple-aspen-config", r.Content.Headers.ContentType!.MediaType);
            // The UUIDs are derived from the address (so a re-download replaces the profile); the rest must not differ.
            var text = (await r.Content.ReadAsStringAsync()).Replace(address, "ADDRESS", StringComparison.Ordinal);
            return System.Text.RegularExpressions.Regex.Replace(text, "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", "UUID");
        }
        Assert.Equal(await Profile("alice@example.org"), await Profile("nobody@example.org"));
        using var a = await GetAsync("/mail/config-v1.1.xml?emailaddress=alice%40example.org");
        using var b = await GetAsync("/mail/config-v1.1.xml?emailaddress=nobody%40example.org");
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Autodiscover_json_v2_points_outlook_at_the_xml_endpoint_and_refuses_other_protocols()
    {
        using var v1 = await GetAsync("/autodiscover/autodiscover.json/v1.0/alice@example.org?Protocol=AutodiscoverV1", tls: true);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await v1.Content.ReadAsStringAsync());
        Assert.Equal($"https://mail.example.org:{Https.Port}/autodiscover/autodiscover.xml", json.RootElement.GetProperty("Url").GetString());
        using var query = await GetAsync("/autodiscover/autodiscover.json?Email=alice%40example.org&Protocol=autodiscoverv1", tls: true);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        using var ews = await GetAsync("/autodiscover/autodiscover.json?Email=alice%40example.org&Protocol=Ews", tls: true);
        Assert.Equal(HttpStatusCode.NotFound, ews.StatusCode);
        Assert.Contains("ErrorCode", await ews.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var nonsense = await GetAsync("/autodiscover/autodiscover.json?Email=alice%40example.org&Protocol=Gopher", tls: true);
        Assert.Equal(HttpStatusCode.BadRequest, nonsense.StatusCode);
        Assert.Contains("InvalidProtocol", await nonsense.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var other = await GetAsync("/autodiscover/autodiscover.json?Email=bob%40other.example&Protocol=AutodiscoverV1", tls: true);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Mta_sts_policy_and_pacc_are_served_on_their_host_names()
    {
        using var policy = await GetAsync("/.well-known/mta-sts.txt", "mta-sts.example.org", tls: true);
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        Assert.Equal("version: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 604800\r\n", await policy.Content.ReadAsStringAsync());
        using var pacc = await GetAsync("/.well-known/user-agent-configuration.json", "ua-auto-config.example.org", tls: true);
        Assert.Equal(HttpStatusCode.OK, pacc.StatusCode);
        Assert.Equal(PaccDocument.Write(_server.Server.ClientSettings), await pacc.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Curl_fetches_autoconfig_and_posts_autodiscover()
    {
        var get = await ExternalProcess.RunAsync("curl", ["-sS", "--fail", "-H", "Host: autoconfig.example.org", "-w", "\n%{content_type}", $"http://127.0.0.1:{Http.Port}/mail/config-v1.1.xml"]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.EndsWith("text/xml; charset=utf-8", get.Output.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("<socketType>SSL</socketType>", get.Output, StringComparison.Ordinal);
        var post = await ExternalProcess.RunAsync("curl", ["-sS", "--fail", "-k", "-H", "Content-Type: text/xml", "--data-binary", AutodiscoverRequestXml("alice@example.org"), $"https://127.0.0.1:{Https.Port}/AutoDiscover/AutoDiscover.xml"]);
        Assert.True(post.ExitCode == 0, post.ToString());
        Assert.Contains("<Type>IMAP</Type>", post.Output, StringComparison.Ordinal);
        var head = await ExternalProcess.RunAsync("curl", ["-sS", "-I", "-H", "Host: example.org", $"http://127.0.0.1:{Http.Port}/mail/config-v1.1.xml"]);
        Assert.Contains("200 OK", head.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("<clientConfig", head.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_body_is_refused_before_it_is_read_and_the_server_stays_up()
    {
        using var client = Client();
        var big = new string('x', 100_000);
        using var response = await client.PostAsync($"http://127.0.0.1:{Http.Port}/autodiscover/autodiscover.xml", new StringContent(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        // curl sends Expect: 100-continue for a large body and must get 413 without sending it.
        var curl = await ExternalProcess.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@-", $"http://127.0.0.1:{Http.Port}/autodiscover/autodiscover.xml"], standardInput: new string('y', 2_000_000));
        Assert.Equal("413", curl.Output);
        using var after = await GetAsync("/mail/config-v1.1.xml", "example.org");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Malformed_and_hostile_xml_get_400_with_an_autodiscover_error()
    {
        using var client = Client();
        var xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>";
        foreach (var body in new[] { "<Autodiscover><Request>", xxe, "\0\0\0" })
        {
            using var response = await client.PostAsync($"http://127.0.0.1:{Http.Port}/autodiscover/autodiscover.xml", new StringContent(body, Encoding.UTF8, "text/xml"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("<ErrorCode>600</ErrorCode>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
        }
    }

    private async Task<string> RawAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Http);
        using var stream = new NetworkStream(socket);
        try
        {
            await stream.WriteAsync(request);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (431, 413): its answer is still there to read.
        }
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Bad_request_heads_get_their_status_codes()
    {
        Assert.StartsWith("HTTP/1.1 431", await RawAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: example.org\r\nX-Big: " + new string('a', 20_000) + "\r\n\r\n")), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 405", await RawAsync("DELETE /mail/config-v1.1.xml HTTP/1.1\r\nHost: example.org\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 505", await RawAsync("GET / HTTP/2.0\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 411", await RawAsync("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: example.org\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawAsync("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawAsync([.. "GET /\u00e9 HTTP/1.1\r\n"u8.ToArray(), 0xFF, .. "\r\n\r\n"u8.ToArray()]), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawAsync("GET /mail/config-v1.1.xml HTTP/1.1\r\nHost: example.org\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawAsync("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: example.org\r\nContent-Length: 100\r\n\r\nshort"u8.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_request_gets_408()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Http);
        await socket.SendAsync("GET /mail/config-v1.1.xml HTTP/1.1\r\n"u8.ToArray());
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answer = await reader.ReadToEndAsync(guard.Token);
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
    }
}
