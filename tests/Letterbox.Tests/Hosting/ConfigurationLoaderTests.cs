using Letterbox.Core.Options;
using Letterbox.Hosting;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Hosting;

[Collection("environment")]
public sealed class ConfigurationLoaderTests
{
    [Fact]
    public void Json_with_comments_overrides_defaults_and_keeps_unnamed_keys()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "letterbox.json"), """
            {
              // the host name
              "HostName": "mail.example.org",
              /* only the port of imaps changes */
              "Listeners": { "imaps": { "Port": 1993 } },
              "Limits": { "MaxLineLength": 8192, },
            }
            """);
        var options = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, false, null), dir.Path);
        Assert.Equal("mail.example.org", options.HostName);
        Assert.Equal(8192, options.Limits.MaxLineLength);
        Assert.Equal(1993, options.Listeners["imaps"].Port);
        Assert.Equal(ListenerSecurity.ImplicitTls, options.Listeners["imaps"].Security);
        Assert.Equal(143, options.Listeners["imap"].Port);
        Assert.Equal(Path.Combine(dir.Path, "data"), options.DataDirectory);
    }

    [Fact]
    public void Environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "letterbox.json"), """{ "HostName": "file.example.org", "DataDirectory": "from-file" }""");
        Environment.SetEnvironmentVariable("LETTERBOX__HostName", "env.example.org");
        Environment.SetEnvironmentVariable("LETTERBOX__Limits__MaxConnectionsPerIp", "7");
        try
        {
            var options = ConfigurationLoader.Load(new ConfigurationArguments(null, "from-cli", null, false, null), dir.Path);
            Assert.Equal("env.example.org", options.HostName);
            Assert.Equal(7, options.Limits.MaxConnectionsPerIp);
            Assert.Equal(Path.Combine(dir.Path, "from-cli"), options.DataDirectory);
            var cli = ConfigurationLoader.Load(new ConfigurationArguments(null, null, "cli.example.org", false, null), dir.Path);
            Assert.Equal("cli.example.org", cli.HostName);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LETTERBOX__HostName", null);
            Environment.SetEnvironmentVariable("LETTERBOX__Limits__MaxConnectionsPerIp", null);
        }
    }

    [Fact]
    public void Dev_binds_loopback_and_offsets_every_port()
    {
        using var dir = new TempDirectory();
        var options = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, true, null), dir.Path);
        Assert.All(options.Listeners.Values, l => Assert.Equal("127.0.0.1", l.Address));
        Assert.Equal(10143, options.Listeners["imap"].Port);
        Assert.Equal(10993, options.Listeners["imaps"].Port);
        var shifted = ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, true, 20000), dir.Path);
        Assert.Equal(20993, shifted.Listeners["imaps"].Port);
    }

    [Theory]
    [InlineData("""{ "HostNme": "typo.example.org" }""", "HostNme")]
    [InlineData("""{ "Limits": { "MaxLineLength": "lots" } }""", "MaxLineLength")]
    [InlineData("""{ "HostName": """, "letterbox.json")]
    [InlineData("""{ "Dns": { "Servers": [ "resolver.example" ] } }""", "Dns:Servers")]
    public void A_bad_file_is_refused_with_the_key_or_file(string json, string named)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "letterbox.json"), json);
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(new ConfigurationArguments(null, null, null, false, null), dir.Path));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_explicit_config_file_is_an_error()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(new ConfigurationArguments(Path.Combine(dir.Path, "nope.json"), null, null, false, null), dir.Path));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;
