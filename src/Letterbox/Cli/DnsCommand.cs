using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Hosting;
using Letterbox.Settings;
using Letterbox.Settings.Dns;

namespace Letterbox.Cli;

/// <summary>
/// <c>letterbox dns [--domain D] [--format zone|json] [--ipv4 A] [--ipv6 A]</c>: every DNS record the
/// hosted domains need, ready to paste, each with a comment saying why.
/// </summary>
internal static class DnsCommand
{
    internal static Command Create(CliOptions cli)
    {
        var domainOption = new Option<string?>("--domain") { Description = "Only this hosted domain (default: every hosted domain)" };
        var format = new Option<string>("--format") { Description = "zone (zone-file lines, default) or json", DefaultValueFactory = _ => "zone" };
        format.AcceptOnlyFromAmong("zone", "json");
        var ipv4 = new Option<string[]>("--ipv4") { Description = "Public IPv4 address of the host name (repeatable; default: detected on this machine's interfaces)", AllowMultipleArgumentsPerToken = false };
        var ipv6 = new Option<string[]>("--ipv6") { Description = "Public IPv6 address of the host name (repeatable; default: detected)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("dns", "Print every DNS record to publish (MX, A/AAAA, SRV, autoconfig, Autodiscover, SPF, DMARC, MTA-STS, TLS-RPT, TLSA)");
        command.Options.Add(domainOption);
        command.Options.Add(format);
        command.Options.Add(ipv4);
        command.Options.Add(ipv6);
        command.SetAction((r, ct) => AccountCommand.RunAsync(r, cli.Load, async context =>
        {
            var options = context.Options;
            HostName host;
            try
            {
                host = LetterboxServer.ResolveHostName(options, dev: false);
            }
            catch (ConfigurationException e)
            {
                return await AccountCommand.FailAsync(context.Error, e.Message);
            }
            var hosted = (await context.Directory.ListDomainsAsync(ct)).Select(d => d.Name).ToList();
            List<string> domains;
            var only = r.GetValue(domainOption);
            if (only is not null)
            {
                if (!HostName.TryParse(only, requireFullyQualified: true, out var parsed, out var error))
                {
                    return await AccountCommand.FailAsync(context.Error, $"--domain {only}: {error}");
                }
                if (!hosted.Contains(parsed.Value, StringComparer.Ordinal))
                {
                    return await AccountCommand.FailAsync(context.Error, $"{parsed.Value} is not hosted here; add it first: letterbox domain add {parsed.Value}");
                }
                domains = [parsed.Value];
            }
            else if (hosted.Count == 0)
            {
                return await AccountCommand.FailAsync(context.Error, "no domains are hosted yet; add one: letterbox domain add example.org");
            }
            else
            {
                domains = hosted;
            }

            var notes = new List<string> { $"DNS records for {string.Join(", ", domains)} served by {host.Value} (letterbox dns)" };
            if (!ParseAddresses(r.GetValue(ipv4) ?? [], AddressFamily.InterNetwork, out var v4, out var bad4))
            {
                return await AccountCommand.FailAsync(context.Error, $"--ipv4 {bad4}: not an IPv4 address");
            }
            if (!ParseAddresses(r.GetValue(ipv6) ?? [], AddressFamily.InterNetworkV6, out var v6, out var bad6))
            {
                return await AccountCommand.FailAsync(context.Error, $"--ipv6 {bad6}: not an IPv6 address");
            }
            string source;
            if (v4.Count > 0 || v6.Count > 0)
            {
                source = "--ipv4/--ipv6";
            }
            else
            {
                (v4, v6, source) = DetectPublicAddresses();
                notes.Add(v4.Count + v6.Count == 0
                    ? "No public address found on this machine's interfaces (behind NAT?): no A/AAAA records below. Pass --ipv4 ADDRESS (and --ipv6 ADDRESS)."
                    : $"A/AAAA addresses were {source}; behind NAT or a load balancer pass the public ones with --ipv4/--ipv6.");
            }

            byte[]? spki = null;
            try
            {
                var tls = LetterboxServer.LoadCertificate(options, host, dev: false);
                spki = tls.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
                notes.Add($"TLSA from the certificate {tls.Source}, SHA-256 fingerprint {tls.Sha256Fingerprint}.");
            }
            catch (Exception e) when (e is Net.CertificateException or IOException or UnauthorizedAccessException)
            {
                notes.Add($"No TLSA record: the certificate cannot be read ({e.Message}).");
            }

            var smtp = options.Listeners.Values.FirstOrDefault(l => l is { Enabled: true, Protocol: ListenerProtocol.Smtp });
            if (smtp is null)
            {
                notes.Add("No SMTP listener is enabled: the MX below assumes mail reaches this host on port 25 (e.g. through an MTA relaying over LMTP).");
            }
            else if (smtp.Port != 25)
            {
                notes.Add($"The SMTP listener is on port {smtp.Port}; other servers always deliver to port 25, so forward 25 to it.");
            }
            var https = options.Listeners.Values.FirstOrDefault(l => l is { Enabled: true, Protocol: ListenerProtocol.Http, Security: ListenerSecurity.ImplicitTls });
            if (https is null)
            {
                notes.Add("No https listener is enabled: autoconfig, Autodiscover, PACC and MTA-STS records are left out (nothing would serve them).");
            }
            if (options.ClientSettings.Outgoing is null)
            {
                notes.Add("No outgoing server is configured (ClientSettings:Outgoing): Letterbox receives mail only, so no submission service is published.");
            }
            notes.Add("The certificate must also cover autoconfig., autodiscover., mta-sts. and ua-auto-config. names of each domain for the HTTPS documents.");

            var input = new DnsPlanInput(
                MailServerSettings.FromOptions(options, host.Value),
                domains, [.. v4.Select(a => a.ToString())], [.. v6.Select(a => a.ToString())], source, spki,
                options.ClientSettings.MtaStsMode, options.ClientSettings.MtaStsMaxAgeSeconds,
                SmtpPort: 25,
                HttpsPort: https?.Port);
            var records = DnsPlan.Build(input);
            if (r.GetValue(format) == "json")
            {
                using var buffer = new MemoryStream();
                DnsPlanWriter.WriteJson(buffer, records, notes);
                await context.Output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                DnsPlanWriter.WriteZone(context.Output, records, notes);
            }
            return 0;
        }, ct));
        return command;
    }

    private static bool ParseAddresses(string[] values, AddressFamily family, out List<IPAddress> addresses, out string? bad)
    {
        addresses = [];
        bad = null;
        foreach (var value in values)
        {
            if (!IPAddress.TryParse(value, out var address) || address.AddressFamily != family)
            {
                bad = value;
                return false;
            }
            addresses.Add(address);
        }
        return true;
    }

    /// <summary>Global unicast addresses on up interfaces: not loopback, link-local, private (RFC 1918, RFC 4193) or shared (RFC 6598).</summary>
    private static (List<IPAddress> V4, List<IPAddress> V6, string Source) DetectPublicAddresses()
    {
        var v4 = new List<IPAddress>();
        var v6 = new List<IPAddress>();
        var interfaces = new List<string>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces().Where(n => n.OperationalStatus == OperationalStatus.Up))
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var a = unicast.Address;
                if (!IsPublic(a))
                {
                    continue;
                }
                (a.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Add(a);
                if (!interfaces.Contains(nic.Name))
                {
                    interfaces.Add(nic.Name);
                }
            }
        }
        return (v4, v6, interfaces.Count == 0 ? "interface detection" : "detected on " + string.Join(", ", interfaces));
    }

    internal static bool IsPublic(IPAddress a)
    {
        if (IPAddress.IsLoopback(a))
        {
            return false;
        }
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return !(b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] == 0 || b[0] >= 224);
        }
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = a.GetAddressBytes();
            return !(a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC || a.IsIPv4MappedToIPv6);
        }
        return false;
    }
}
