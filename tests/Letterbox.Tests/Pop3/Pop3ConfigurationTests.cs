using Letterbox.Core.Options;
using Letterbox.Hosting;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>POP3 listeners and options as configuration and the client-settings table see them.</summary>
public class Pop3ConfigurationTests
{
    [Fact]
    public void Standard_pop3_listeners_and_dev_ports()
    {
        using var dir = new TempDirectory();
        var production = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, false, null), dir.Path);
        Assert.Equal((ListenerProtocol.Pop3, 110, ListenerSecurity.StartTls), (production.Listeners["pop3"].Protocol, production.Listeners["pop3"].Port, production.Listeners["pop3"].Security));
        Assert.Equal((ListenerProtocol.Pop3, 995, ListenerSecurity.ImplicitTls), (production.Listeners["pop3s"].Protocol, production.Listeners["pop3s"].Port, production.Listeners["pop3s"].Security));
        var dev = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, true, null), dir.Path);
        Assert.Equal(10110, dev.Listeners["pop3"].Port);
        Assert.Equal(10995, dev.Listeners["pop3s"].Port);
    }

    [Fact]
    public void Pop3_options_bind_from_json_with_per_domain_and_user_overrides()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "letterbox.json"), """
            {
              "Pop3": {
                "MarkSeenOnRetrieve": true,
                "IdleSeconds": 900,
                "Overrides": {
                  "example.org": { "DeleteOnRetrieve": true },
                  "bob@example.org": { "Enabled": false, "DeleteOnRetrieve": false }
                }
              },
              "Listeners": { "pop3": { "Enabled": false } }
            }
            """);
        var options = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, false, null), dir.Path);
        Assert.False(options.Listeners["pop3"].Enabled);
        Assert.Equal(900, options.Pop3.IdleSeconds);
        var alice = options.Pop3.For("alice@example.org");
        Assert.Equal((true, true, true), (alice.Enabled, alice.MarkSeenOnRetrieve, alice.DeleteOnRetrieve));
        var bob = options.Pop3.For("bob@EXAMPLE.org");
        Assert.Equal((false, true, false), (bob.Enabled, bob.MarkSeenOnRetrieve, bob.DeleteOnRetrieve));
        var carol = options.Pop3.For("carol@example.net");
        Assert.Equal((true, true, false), (carol.Enabled, carol.MarkSeenOnRetrieve, carol.DeleteOnRetrieve));
    }

    [Fact]
    public async Task Client_settings_list_pop3_rows()
    {
        await using var server = await Pop3TestServer.StartAsync();
        var rows = ClientSettings.For(server.Inner.Server, server.User);
        Assert.Contains(new ClientSetting("POP3", "localhost", server.Pop3s.Port, "SSL/TLS", server.User), rows);
        Assert.Contains(new ClientSetting("POP3", "localhost", server.Pop3.Port, "STARTTLS", server.User), rows);
    }
}
