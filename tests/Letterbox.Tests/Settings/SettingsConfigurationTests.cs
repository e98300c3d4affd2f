using Letterbox.Core.Options;
using Letterbox.Hosting;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Settings;

public class SettingsConfigurationTests
{
    [Fact]
    public void Http_listeners_default_to_80_and_443_and_dev_offsets_them()
    {
        using var dir = new TempDirectory();
        var production = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, false, null), dir.Path);
        Assert.Equal((ListenerProtocol.Http, 80, ListenerSecurity.None), (production.Listeners["http"].Protocol, production.Listeners["http"].Port, production.Listeners["http"].Security));
        Assert.Equal((ListenerProtocol.Http, 443, ListenerSecurity.ImplicitTls), (production.Listeners["https"].Protocol, production.Listeners["https"].Port, production.Listeners["https"].Security));
        var dev = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, true, null), dir.Path);
        Assert.Equal(10080, dev.Listeners["http"].Port);
        Assert.Equal(10443, dev.Listeners["https"].Port);
        Assert.Equal("127.0.0.1", dev.Listeners["https"].Address);
    }

    [Fact]
    public void Client_settings_section_binds_from_letterbox_json()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "letterbox.json");
        File.WriteAllText(file, """
            {
              // The submission server is at the hoster.
              "ClientSettings": {
                "Outgoing": { "Host": "smtp.hoster.example", "Port": 587, "Security": "StartTls" },
                "MtaStsMode": "enforce",
                "MaxRequestBodyBytes": 2048
              }
            }
            """);
        var options = ConfigurationLoader.Load(new ConfigurationArguments(file, null, null, false, null), dir.Path);
        Assert.Equal("smtp.hoster.example", options.ClientSettings.Outgoing!.Host);
        Assert.Equal(587, options.ClientSettings.Outgoing.Port);
        Assert.Equal(ListenerSecurity.StartTls, options.ClientSettings.Outgoing.Security);
        Assert.Equal("enforce", options.ClientSettings.MtaStsMode);
        Assert.Equal(2048, options.ClientSettings.MaxRequestBodyBytes);
        Assert.Equal(8 * 1024, options.ClientSettings.MaxRequestHeaderBytes);
    }
}
