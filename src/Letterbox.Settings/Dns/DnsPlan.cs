using System.Globalization;
using System.Security.Cryptography;
using Letterbox.Settings.Documents;

namespace Letterbox.Settings.Dns;

/// <summary>
/// Every DNS record a Letterbox server's domains need, each with the reason it exists. Pure: the
/// caller supplies addresses and the certificate key; nothing here looks anything up.
/// </summary>
public static class DnsPlan
{
    /// <summary>RFC 6186 §4 "no service" target: priority 0, weight 0, port 0, target ".".</summary>
    public const string NoService = "0 0 0 .";

    public static IReadOnlyList<DnsRecord> Build(DnsPlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var host = input.Settings.HostName;
        var records = new List<DnsRecord>();
        foreach (var ip in input.IPv4)
        {
            records.Add(new(host, "A", ip, $"the mail host's IPv4 address (from {input.AddressSource}); the MX target must have A/AAAA records, never be a CNAME (RFC 2181 §10.3)"));
        }
        foreach (var ip in input.IPv6)
        {
            records.Add(new(host, "AAAA", ip, $"the mail host's IPv6 address (from {input.AddressSource})"));
        }
        // Letterbox never sends mail (no bounces: it refuses at RCPT time), so no host may use its name
        // as HELO or MAIL FROM: SPF "-all" on the host name says exactly that (RFC 7208 §2.3 checks HELO).
        records.Add(new(host, "TXT", "v=spf1 -all", "SPF for the host name: Letterbox sends no mail from it, so nothing may claim to (RFC 7208 §2.3 HELO checks)"));
        if (input.SmtpPort is { } smtpPort && input.SubjectPublicKeyInfo is { } spki)
        {
            var digest = Convert.ToHexString(SHA256.HashData(spki)).ToLowerInvariant();
            records.Add(new($"_{smtpPort.ToString(CultureInfo.InvariantCulture)}._tcp.{host}", "TLSA", "3 1 1 " + digest,
                "DANE for inbound SMTP (RFC 7672): DANE-EE(3) SPKI(1) SHA-256(1) of the current certificate's key; only honoured in a DNSSEC-signed zone. Publish the new key's record before changing keys"));
        }

        foreach (var domain in input.Domains)
        {
            AddDomain(records, domain, input);
        }
        return records;
    }

    private static void AddDomain(List<DnsRecord> records, string domain, DnsPlanInput input)
    {
        var settings = input.Settings;
        var host = settings.HostName;
        records.Add(new(domain, "MX", $"10 {host}.", "mail for the domain goes to this server: an MX names a host with A/AAAA records, never a CNAME or an IP literal (RFC 5321 §5.1, RFC 2181 §10.3)"));

        // RFC 6186 §3: SRV per service; RFC 8314 §5.1: a lower priority for implicit TLS makes clients prefer it.
        AddSrv(records, domain, "_imaps._tcp", settings.Incoming.FirstOrDefault(s => s is { Protocol: MailProtocol.Imap, Security: TransportSecurity.ImplicitTls }), 0, "IMAP over implicit TLS (RFC 6186, RFC 8314: preferred)");
        AddSrv(records, domain, "_imap._tcp", settings.Incoming.FirstOrDefault(s => s is { Protocol: MailProtocol.Imap, Security: TransportSecurity.StartTls }), 10, "IMAP with STARTTLS (RFC 6186), less preferred than 993 (RFC 8314 §5.1)");
        AddSrv(records, domain, "_pop3s._tcp", settings.Incoming.FirstOrDefault(s => s is { Protocol: MailProtocol.Pop3, Security: TransportSecurity.ImplicitTls }), 0, "POP3 over implicit TLS (RFC 6186, RFC 8314: preferred)");
        AddSrv(records, domain, "_pop3._tcp", settings.Incoming.FirstOrDefault(s => s is { Protocol: MailProtocol.Pop3, Security: TransportSecurity.StartTls }), 10, "POP3 with STLS (RFC 6186), less preferred than 995");
        var outgoing = settings.Outgoing;
        AddSrv(records, domain, "_submissions._tcp", outgoing is { Security: TransportSecurity.ImplicitTls } ? outgoing : null, 0,
            outgoing is null ? "message submission over implicit TLS (RFC 8314): Letterbox has no submission server and ClientSettings:Outgoing is not set" : "message submission over implicit TLS (RFC 8314) at the configured outgoing server");
        AddSrv(records, domain, "_submission._tcp", outgoing is { Security: TransportSecurity.StartTls } ? outgoing : null, 10,
            "message submission with STARTTLS (RFC 6186)");

        if (input.HttpsPort is not { } httpsPort)
        {
            // Without an https listener nothing below could be fetched; publishing the names would send clients nowhere.
            AddPolicyRecords(records, domain, input, servesPolicy: false);
            return;
        }
        records.Add(new($"autoconfig.{domain}", "CNAME", host + ".", "Thunderbird autoconfig: https://autoconfig.<domain>/mail/config-v1.1.xml is served by Letterbox (the certificate must cover this name)"));
        records.Add(new($"autodiscover.{domain}", "CNAME", host + ".", "Outlook Autodiscover: https://autodiscover.<domain>/autodiscover/autodiscover.xml (the certificate must cover this name)"));
        records.Add(new($"_autodiscover._tcp.{domain}", "SRV", $"0 0 {httpsPort.ToString(CultureInfo.InvariantCulture)} {host}.", "Outlook's Autodiscover SRV lookup ([MS-OXDSCLI] §3.1.5.1): lets it reach the host name whose certificate it trusts"));

        var pacc = PaccDocument.Write(settings);
        records.Add(new($"ua-auto-config.{domain}", "CNAME", host + ".", "PACC (draft-ietf-mailmaint-pacc): the configuration document host (the certificate must cover this name)"));
        records.Add(new($"_ua-auto-config.{domain}", "TXT", PaccDocument.DigestRecord(pacc), "PACC: SHA-256 of the exact document served; re-run `letterbox dns` after changing listeners or ClientSettings:Outgoing"));

        AddPolicyRecords(records, domain, input, servesPolicy: true);
    }

    private static void AddPolicyRecords(List<DnsRecord> records, string domain, DnsPlanInput input, bool servesPolicy)
    {
        var host = input.Settings.HostName;
        var outgoing = input.Settings.Outgoing;
        // Letterbox is incoming-only: it sends nothing as the domain. With no outgoing server configured
        // "-all" is the truth; with one, that host's addresses are the only legitimate senders we know of.
        var spf = outgoing is null ? "v=spf1 -all" : $"v=spf1 a:{outgoing.Host} -all";
        records.Add(new(domain, "TXT", spf, outgoing is null
            ? "SPF: nothing sends mail as this domain through Letterbox (incoming only). If you send through another provider, replace -all with its include: mechanism and -all"
            : $"SPF: mail from this domain leaves through {outgoing.Host}; if your provider documents an include: mechanism, use that instead of a:"));
        records.Add(new($"_dmarc.{domain}", "TXT", $"v=DMARC1; p=none; rua=mailto:postmaster@{domain}",
            "DMARC (RFC 7489): p=none first, so nothing is rejected while aggregate reports arrive at postmaster@ (this server receives them); move to p=quarantine, then p=reject, once the reports show only your own senders"));

        if (servesPolicy && !string.Equals(input.MtaStsMode, "none", StringComparison.OrdinalIgnoreCase) && input.SmtpPort is not null)
        {
            var policy = MtaStsPolicy.Write(host, input.MtaStsMode, input.MtaStsMaxAgeSeconds);
            records.Add(new($"mta-sts.{domain}", "CNAME", host + ".", "MTA-STS (RFC 8461 §3.3): the policy host; Letterbox serves https://mta-sts.<domain>/.well-known/mta-sts.txt and the certificate must be publicly trusted and cover this name"));
            records.Add(new($"_mta-sts.{domain}", "TXT", $"v=STSv1; id={MtaStsPolicy.Id(policy)}",
                $"MTA-STS (RFC 8461 §3.1): senders must use TLS to {host} (mode {input.MtaStsMode}); the id changes whenever the policy does"));
            records.Add(new($"_smtp._tls.{domain}", "TXT", $"v=TLSRPTv1; rua=mailto:postmaster@{domain}",
                "SMTP TLS reporting (RFC 8460): senders report TLS failures to postmaster@"));
        }
    }

    private static void AddSrv(List<DnsRecord> records, string domain, string service, MailService? offered, int priority, string why)
    {
        if (offered is null)
        {
            records.Add(new($"{service}.{domain}", "SRV", NoService, why + " — not offered: '0 0 0 .' tells clients not to try (RFC 6186 §4)"));
            return;
        }
        records.Add(new($"{service}.{domain}", "SRV", $"{priority.ToString(CultureInfo.InvariantCulture)} 1 {offered.Port.ToString(CultureInfo.InvariantCulture)} {offered.Host}.", why));
    }
}
