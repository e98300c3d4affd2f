using System.CommandLine;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Discovery;
using Letterbox.Net.Dns;

namespace Letterbox.Cli;

/// <summary><c>letterbox discover ADDRESS [--json] [--offline] [--ispdb-url URL]</c>: the settings to type for any address.</summary>
internal static class DiscoverCommand
{
    public static Command Create(CliOptions cli)
    {
        var address = new Argument<string>("address") { Description = "The e-mail address to find settings for" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var offline = new Option<bool>("--offline") { Description = "Use only the built-in provider table (no network)" };
        var ispdb = new Option<string?>("--ispdb-url") { Description = "Central autoconfig database URL (default Discover:IspdbUrl)" };
        var command = new Command("discover", "Find the IMAP, POP3 and SMTP settings for an address, and say where each came from");
        command.Arguments.Add(address);
        command.Options.Add(json);
        command.Options.Add(offline);
        command.Options.Add(ispdb);
        command.SetAction((result, ct) => CliErrors.RunAsync(() =>
            RunAsync(result.GetValue(address) ?? "", result.GetValue(json), result.GetValue(offline), result.GetValue(ispdb), cli.Load(result), Console.Out, ct)));
        return command;
    }

    /// <summary>Runs discovery and prints it; exit code 0 when an incoming server was found, 1 otherwise, 2 on a bad address.</summary>
    internal static async Task<int> RunAsync(string input, bool json, bool offline, string? ispdbUrl, LetterboxOptions options, TextWriter output, CancellationToken ct)
    {
        if (!EmailAddress.TryParse(input, out var address, out var error))
        {
            await output.WriteLineAsync($"error: \"{input}\" is not an e-mail address: {error}").ConfigureAwait(false);
            return 2;
        }
        using var discoverer = new MailDiscoverer(DnsLookup.Create(options.Dns), DiscoverySetup.FromConfiguration(options.Discover, offline, ispdbUrl));
        var found = await discoverer.DiscoverAsync(address!.LocalPart, address.Domain, ct).ConfigureAwait(false);
        await output.WriteAsync(json ? ReportFormat.ToJson(found) + "\n" : ReportFormat.ToTable(found)).ConfigureAwait(false);
        return found.Settings.Any(s => s.Protocol != MailProtocol.Smtp) ? 0 : 1;
    }
}
