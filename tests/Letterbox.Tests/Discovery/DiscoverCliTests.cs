using System.Text.Json;
using Letterbox.Cli;
using Letterbox.Core.Options;
using Letterbox.Tests.Dns;

namespace Letterbox.Tests.Discovery;

public class DiscoverCliTests
{
    [Fact]
    public async Task Offline_discover_prints_a_table_or_json_and_sets_the_exit_code()
    {
        await using var dns = TestDnsServer.Start();
        var options = new LetterboxOptions { Dns = dns.Options };
        var table = new StringWriter();
        Assert.Equal(0, await DiscoverCommand.RunAsync("li@yeah.net", json: false, offline: true, null, options, table, CancellationToken.None));
        Assert.Contains("IMAP      imap.yeah.net  993   SSL/TLS", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("IMAP ID", table.ToString(), StringComparison.Ordinal);

        var json = new StringWriter();
        Assert.Equal(0, await DiscoverCommand.RunAsync("x@gmail.com", json: true, offline: true, null, options, json, CancellationToken.None));
        using var document = JsonDocument.Parse(json.ToString());
        var settings = document.RootElement.GetProperty("settings");
        Assert.Equal("pop.gmail.com", settings.EnumerateArray().Single(s => s.GetProperty("protocol").GetString() == "pop3").GetProperty("host").GetString());

        Assert.Equal(1, await DiscoverCommand.RunAsync("x@unknown.test", json: false, offline: true, null, options, new StringWriter(), CancellationToken.None));
        Assert.Equal(2, await DiscoverCommand.RunAsync("not an address", json: false, offline: true, null, options, new StringWriter(), CancellationToken.None));
        Assert.Empty(dns.Queries);
    }

    [Fact]
    public async Task Doctor_refuses_an_unknown_security_mode_and_fails_for_an_unresolvable_host()
    {
        await using var dns = TestDnsServer.Start();
        var options = new LetterboxOptions { Dns = dns.Options };
        options.Discover.IspdbUrl = "";
        var output = new StringWriter();
        Assert.Equal(2, await DoctorCommand.RunClientAsync(new DoctorCommand.ClientArguments("a@b.test", "mail.b.test", 993, "tls1.0", null, false, null, false), options, output, CancellationToken.None));
        Assert.Contains("--security must be ssl, starttls or none", output.ToString(), StringComparison.Ordinal);
        output = new StringWriter();
        Assert.Equal(1, await DoctorCommand.RunClientAsync(new DoctorCommand.ClientArguments("a@b.test", "mail.b.test", 993, "ssl", null, false, null, true), options, output, CancellationToken.None));
        using var document = JsonDocument.Parse(output.ToString());
        Assert.False(document.RootElement.GetProperty("passed").GetBoolean());
    }
}
