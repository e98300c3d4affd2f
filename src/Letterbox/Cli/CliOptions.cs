using System.CommandLine;
using Letterbox.Core.Options;
using Letterbox.Hosting;

namespace Letterbox.Cli;

/// <summary>The options every command shares (recursive on the root) and how they become <see cref="LetterboxOptions"/>.</summary>
internal sealed class CliOptions
{
    public Option<string?> DataDirectory { get; } = new("--data-dir") { Description = "Data directory (default: ./data, or DataDirectory in letterbox.json)", Recursive = true };
    public Option<string?> ConfigFile { get; } = new("--config") { Description = "Configuration file (default: ./letterbox.json)", Recursive = true };
    public Option<string?> HostName { get; } = new("--hostname") { Description = "The server's fully-qualified host name", Recursive = true };
    public Option<bool> Dev { get; } = new("--dev") { Description = "Development mode: loopback only, ports + offset (10143, 10993...), demo account" };
    public Option<int?> PortOffset { get; } = new("--port-offset") { Description = "Port offset added to standard ports in --dev (default 10000)" };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(DataDirectory);
        root.Options.Add(ConfigFile);
        root.Options.Add(HostName);
    }

    /// <summary>Loads configuration for commands that do not serve (no dev offsets).</summary>
    public LetterboxOptions Load(ParseResult result) => Load(result, dev: false, portOffset: null);

    public LetterboxOptions Load(ParseResult result, bool dev, int? portOffset) => ConfigurationLoader.Load(new ConfigurationArguments(
        result.GetValue(ConfigFile), result.GetValue(DataDirectory), result.GetValue(HostName), dev, portOffset));
}
