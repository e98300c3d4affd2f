using Letterbox.Core.Options;
using Letterbox.Net.Dns;
using Microsoft.Extensions.Configuration;

namespace Letterbox.Hosting;

/// <summary>What the command line says about configuration, before it is merged with files and environment.</summary>
public sealed record ConfigurationArguments(string? ConfigFile, string? DataDirectory, string? HostName, bool Dev, int? PortOffset);

/// <summary>
/// Builds <see cref="LetterboxOptions"/> from, in rising priority: defaults, letterbox.json
/// (comments and trailing commas allowed), LETTERBOX__* environment variables
/// (LETTERBOX__Limits__MaxLineLength=...), and command-line options.
/// </summary>
public static class ConfigurationLoader
{
    public const string DefaultConfigFile = "letterbox.json";
    public const string EnvironmentPrefix = "LETTERBOX__";
    public const int DefaultDevPortOffset = 10000;

    public static LetterboxOptions Load(ConfigurationArguments args, string? workingDirectory = null)
    {
        workingDirectory ??= Directory.GetCurrentDirectory();
        var configFile = args.ConfigFile ?? Environment.GetEnvironmentVariable("LETTERBOX_CONFIG") ?? Path.Combine(workingDirectory, DefaultConfigFile);
        if (args.ConfigFile is not null && !File.Exists(configFile))
        {
            throw new ConfigurationException($"configuration file {configFile} does not exist");
        }
        var builder = new ConfigurationBuilder();
        if (File.Exists(configFile))
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ConfigurationException($"{configFile}: {e.InnerException?.Message ?? e.Message}");
        }
        var options = new LetterboxOptions();
        StandardListeners.AddDefaults(options);
        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException($"configuration: {e.Message}");
        }
        if (args.DataDirectory is not null)
        {
            options.DataDirectory = args.DataDirectory;
        }
        if (args.HostName is not null)
        {
            options.HostName = args.HostName;
        }
        options.DataDirectory = Path.GetFullPath(options.DataDirectory, workingDirectory);
        foreach (var server in options.Dns.Servers)
        {
            try
            {
                DnsLookup.ParseServer(server);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new ConfigurationException($"configuration: {e.Message}");
            }
        }
        if (args.Dev)
        {
            StandardListeners.ApplyDev(options, args.PortOffset ?? DefaultDevPortOffset);
        }
        return options;
    }
}

/// <summary>The configuration cannot be used; the message says which key or file and why.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
