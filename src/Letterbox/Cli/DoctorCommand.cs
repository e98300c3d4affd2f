using System.CommandLine;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using Letterbox.Core.Security;
using Letterbox.Hosting;
using Letterbox.Store;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Discovery;
using Letterbox.Discovery.Doctor;
using Letterbox.Discovery.Probing;
using Letterbox.Net.Dns;

namespace Letterbox.Cli;

/// <summary>
/// <c>letterbox doctor ADDRESS [--password-stdin] [--imap-host H --port P --security ssl|starttls|none --username U] [--pop3] [--json]</c>:
/// checks a client set-up step by step and says what to change.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CliOptions cli)
    {
        var address = new Argument<string?>("address") { Description = "The e-mail address whose set-up to check; without it, check this server", Arity = ArgumentArity.ZeroOrOne };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input and try a real login" };
        var host = new Option<string?>("--imap-host", "--host") { Description = "Server name to check instead of discovering it" };
        var port = new Option<int?>("--port") { Description = "Port to check" };
        var security = new Option<string?>("--security") { Description = "ssl, starttls or none" };
        var username = new Option<string?>("--username") { Description = "Username to log in with (default: the address or what discovery says)" };
        var pop3 = new Option<bool>("--pop3") { Description = "Check POP3 instead of IMAP" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a list" };
        var command = new Command("doctor", "Check this server (no address) or a client set-up for an address: DNS, TLS, certificate, greeting, login");
        command.Arguments.Add(address);
        foreach (var option in new Option[] { passwordStdin, host, port, security, username, pop3, json })
        {
            command.Options.Add(option);
        }
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            if (string.IsNullOrEmpty(result.GetValue(address)))
            {
                return await RunServerAsync(cli.Load(result), result.GetValue(json), Console.Out, ct).ConfigureAwait(false);
            }
            string? password = null;
            if (result.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(ct).ConfigureAwait(false))?.TrimEnd('\r');
            }
            var arguments = new ClientArguments(result.GetValue(address) ?? "", result.GetValue(host), result.GetValue(port), result.GetValue(security),
                result.GetValue(username), result.GetValue(pop3), password, result.GetValue(json));
            return await RunClientAsync(arguments, cli.Load(result), Console.Out, ct).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Runs the server checks with this server's configuration; exit code 0 only when every check passed.</summary>
    internal static async Task<int> RunServerAsync(LetterboxOptions options, bool json, TextWriter output, CancellationToken ct)
    {
        var host = LetterboxServer.ResolveHostName(options, dev: false);
        var tls = LetterboxServer.LoadCertificate(options, host, dev: false);
        var listeners = options.Listeners
            .Where(l => l.Value.Enabled && l.Value.Protocol is ListenerProtocol.Imap or ListenerProtocol.Pop3)
            .Select(l => new ListenerUnderTest(l.Key, l.Value.Protocol == ListenerProtocol.Imap ? MailProtocol.Imap : MailProtocol.Pop3, l.Value.Port,
                l.Value.Security switch { ListenerSecurity.ImplicitTls => SocketSecurity.Ssl, ListenerSecurity.StartTls => SocketSecurity.StartTls, _ => SocketSecurity.None }))
            .ToArray();
        var local = NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToArray();
        Directory.CreateDirectory(options.DataDirectory);
        await using var directory = await SqliteAccountDirectory.OpenAsync(Path.Combine(options.DataDirectory, AccountCommand.DirectoryFileName), options.Accounts, ct).ConfigureAwait(false);
        var domains = (await directory.ListDomainsAsync(ct).ConfigureAwait(false)).Select(d => d.Name).ToArray();
        var dns = DnsLookup.Create(options.Dns);
        var discovery = DiscoverySetup.FromConfiguration(options.Discover);
        var input = new ServerDoctorInput(host.Value, local, domains, tls.Certificate, listeners)
        {
            CreateTemporaryAccount = domains.Length == 0 ? null : async token =>
            {
                // A throw-away account with a random name and password, removed in every case afterwards.
                var user = EmailAddress.Parse($"doctor-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}@{domains[0]}");
                var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
                await directory.AddUserAsync(user, PasswordHasher.Hash(password), token).ConfigureAwait(false);
                return new TemporaryAccount(user.ToString(), password, () => directory.RemoveUserAsync(user, CancellationToken.None));
            },
        };
        // The https listener that publishes client settings, if enabled: its autoconfig documents are fetched and read back.
        var https = options.Listeners.Values.FirstOrDefault(l => l.Enabled && l.Protocol == ListenerProtocol.Http && l.Security == ListenerSecurity.ImplicitTls);
        using var http = https is null ? null : new SettingsHttpClient(new HostResolver(dns), discovery);
        if (http is not null)
        {
            input = input with { Published = (http, https!.Port) };
        }
        var report = await new ServerDoctor(dns, new MailServerProbe(new HostResolver(dns), discovery.Probe)).RunAsync(input, ct).ConfigureAwait(false);
        await output.WriteAsync(json ? ReportFormat.ToJson(report) + "\n" : ReportFormat.ToTable(report)).ConfigureAwait(false);
        return report.Passed ? 0 : 1;
    }

    /// <summary>What the command line asked for.</summary>
    internal sealed record ClientArguments(string Address, string? Host, int? Port, string? Security, string? Username, bool Pop3, string? Password, bool Json);

    /// <summary>Runs the client checks; exit code 0 only when every check passed, 2 for bad arguments.</summary>
    internal static async Task<int> RunClientAsync(ClientArguments arguments, LetterboxOptions options, TextWriter output, CancellationToken ct)
    {
        if (!EmailAddress.TryParse(arguments.Address, out var address, out var error))
        {
            await output.WriteLineAsync($"error: \"{arguments.Address}\" is not an e-mail address: {error}").ConfigureAwait(false);
            return 2;
        }
        SocketSecurity? security = null;
        if (arguments.Security is not null)
        {
            security = SocketSecurityNames.Parse(arguments.Security);
            if (security is null)
            {
                await output.WriteLineAsync($"error: --security must be ssl, starttls or none, not \"{arguments.Security}\"").ConfigureAwait(false);
                return 2;
            }
        }
        var dns = DnsLookup.Create(options.Dns);
        using var discoverer = new MailDiscoverer(dns, DiscoverySetup.FromConfiguration(options.Discover));
        var doctor = new ClientDoctor(discoverer, new HostResolver(dns));
        var report = await doctor.RunAsync(new ClientDoctorRequest(address!.LocalPart, address.Domain)
        {
            Protocol = arguments.Pop3 ? MailProtocol.Pop3 : MailProtocol.Imap,
            Host = arguments.Host,
            Port = arguments.Port,
            Security = security,
            Username = arguments.Username,
            Password = arguments.Password,
        }, ct).ConfigureAwait(false);
        await output.WriteAsync(arguments.Json ? ReportFormat.ToJson(report) + "\n" : ReportFormat.ToTable(report)).ConfigureAwait(false);
        return report.Passed ? 0 : 1;
    }
}
