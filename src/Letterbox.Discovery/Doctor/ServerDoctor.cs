using System.Net;
using System.Security.Cryptography.X509Certificates;
using DnsClient;
using DnsClient.Protocol;
using Letterbox.Core;
using Letterbox.Core.Spf;
using Letterbox.Discovery.Probing;

namespace Letterbox.Discovery.Doctor;

/// <summary>One listener the server runs, as doctor probes it (through the host name, as clients do).</summary>
public sealed record ListenerUnderTest(string Name, MailProtocol Protocol, int Port, SocketSecurity Security);

/// <summary>A temporary account for the login round-trip: created before, removed after (by the caller's delegates).</summary>
public sealed record TemporaryAccount(string Username, string Password, Func<Task> RemoveAsync);

/// <summary>What the server doctor checks: this server's name, addresses, domains, certificate and listeners.</summary>
public sealed record ServerDoctorInput(string HostName, IReadOnlyList<IPAddress> LocalAddresses, IReadOnlyList<string> Domains, X509Certificate2 Certificate, IReadOnlyList<ListenerUnderTest> Listeners)
{
    /// <summary>Creates a temporary account for the login round-trip; null skips that check.</summary>
    public Func<CancellationToken, Task<TemporaryAccount>>? CreateTemporaryAccount { get; init; }

    /// <summary>
    /// The port of the server's https listener and a client to fetch with: each domain's autoconfig
    /// document is fetched as Thunderbird does and read back. Null: the server publishes no settings.
    /// </summary>
    public (SettingsHttpClient Client, int Port)? Published { get; init; }
}

/// <summary>
/// <c>letterbox doctor</c> on the server: host name, A/AAAA and PTR, each domain's MX (no CNAME, no IP),
/// SRV and autoconfig/autodiscover names, certificate (chain, expiry, names, fingerprint), every
/// listener's greeting through the host name, SPF/DMARC/MTA-STS records, the published autoconfig,
/// Autodiscover and MTA-STS policy as clients and senders fetch them, and a login round-trip.
/// </summary>
public sealed class ServerDoctor(ILookupClient dns, MailServerProbe probe)
{
    /// <summary>Days before expiry from which the certificate check warns.</summary>
    public const int ExpiryWarningDays = 14;

    public async Task<DoctorReport> RunAsync(ServerDoctorInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var checks = new List<DoctorCheck>();
        if (!HostName.TryParse(input.HostName, requireFullyQualified: true, out var parsed, out var error))
        {
            checks.Add(new DoctorCheck("hostname", CheckStatus.Fail, $"\"{input.HostName}\" is not a fully-qualified host name: {error}", "set HostName in letterbox.json to the server's public name, e.g. mail.example.com"));
            return new DoctorReport(checks);
        }
        var host = parsed.Value;
        checks.Add(new DoctorCheck("hostname", CheckStatus.Pass, host));

        var addresses = await new HostResolver(dns).ResolveAsync(host, ct).ConfigureAwait(false);
        var local = addresses.Where(a => input.LocalAddresses.Contains(a)).ToArray();
        checks.Add(addresses.Count == 0
            ? new DoctorCheck("A/AAAA", CheckStatus.Fail, $"{host} has no A or AAAA record", $"publish an A (and AAAA) record for {host} pointing at this server")
            : local.Length == 0
                ? new DoctorCheck("A/AAAA", CheckStatus.Fail, $"{host} → {string.Join(", ", addresses)}, none of them this machine's ({string.Join(", ", input.LocalAddresses)})", "point the A/AAAA records at this server (behind NAT: forward the ports and ignore this check)")
                : new DoctorCheck("A/AAAA", CheckStatus.Pass, $"{host} → {string.Join(", ", addresses)}"));
        foreach (var address in local)
        {
            var ptr = await dns.QueryReverseAsync(address, ct).ConfigureAwait(false);
            var names = ptr.Answers.OfType<PtrRecord>().Select(p => p.PtrDomainName.Value.TrimEnd('.')).ToArray();
            checks.Add(names.Any(n => n.Equals(host, StringComparison.OrdinalIgnoreCase))
                ? new DoctorCheck("PTR", CheckStatus.Pass, $"{address} → {host}")
                : new DoctorCheck("PTR", CheckStatus.Warn, $"{address} → {(names.Length == 0 ? "no PTR record" : string.Join(", ", names))}", $"ask the owner of {address} (the hosting provider) to set its reverse DNS to {host}"));
        }

        foreach (var domain in input.Domains)
        {
            await DomainChecksAsync(domain, host, addresses, input, checks, ct).ConfigureAwait(false);
        }
        CertificateChecks(input, host, checks);
        foreach (var listener in input.Listeners)
        {
            var result = await probe.ProbeAsync(listener.Protocol, host, listener.Port, listener.Security, ct).ConfigureAwait(false);
            checks.Add(result.Succeeded
                ? new DoctorCheck($"listener {listener.Name}", CheckStatus.Pass, $"{host}:{listener.Port} {listener.Security.ToSocketType()}: {result.Greeting}")
                : new DoctorCheck($"listener {listener.Name}", CheckStatus.Fail, $"{host}:{listener.Port} {listener.Security.ToSocketType()}: {result.Outcome}", result.Advice));
        }
        if (input.Published is { } published)
        {
            foreach (var domain in input.Domains)
            {
                await PublishedSettingsChecksAsync(domain, host, published.Client, published.Port, input.Listeners, checks, ct).ConfigureAwait(false);
            }
        }
        await LoginRoundTripAsync(input, host, checks, ct).ConfigureAwait(false);
        return new DoctorReport(checks);
    }

    /// <summary>
    /// Fetches what clients fetch, as they fetch it, and checks each reads back to this server:
    /// https://autoconfig.DOMAIN/mail/config-v1.1.xml (Thunderbird's first try), the Autodiscover POST
    /// to https://autodiscover.DOMAIN/autodiscover/autodiscover.xml (Outlook), and, when the domain
    /// publishes an _mta-sts record, the MTA-STS policy senders will enforce (RFC 8461).
    /// </summary>
    private async Task PublishedSettingsChecksAsync(string domain, string host, SettingsHttpClient http, int port, IReadOnlyList<ListenerUnderTest> listeners, List<DoctorCheck> checks, CancellationToken ct)
    {
        string Url(string label, string path) => $"https://{label}.{domain}{(port == 443 ? "" : $":{port}")}{path}";
        string Unreachable(string label, SettingsFetch fetch) => fetch.Certificate is { IsValid: false }
            ? $"use a certificate that also covers {label}.{domain} (Let's Encrypt: add it as a name), or clients fall back to less trusted ways"
            : $"point {label}.{domain} at {host} (CNAME) and keep the https listener (port {port}) open";

        var autoconfigUrl = Url("autoconfig", $"/mail/config-v1.1.xml?emailaddress=postmaster%40{Uri.EscapeDataString(domain)}");
        var autoconfig = await http.GetAsync(autoconfigUrl, ct).ConfigureAwait(false);
        checks.Add(autoconfig.Body is null
            ? new DoctorCheck($"autoconfig {domain}", CheckStatus.Fail, $"{autoconfigUrl}: {autoconfig.Error}", Unreachable("autoconfig", autoconfig))
            : Documents.AutoconfigDocument.TryParse(autoconfig.Body, "postmaster", domain, autoconfigUrl, SettingsTrust.Https, out var settings, out var error)
                ? SettingsNameThisServer($"autoconfig {domain}", autoconfigUrl, settings!, host, listeners, $"autoconfig.{domain}")
                : new DoctorCheck($"autoconfig {domain}", CheckStatus.Fail, $"{autoconfigUrl}: not a valid autoconfig document: {error}", "check the server's log; the document is generated from the listeners"));

        var autodiscoverUrl = Url("autodiscover", "/autodiscover/autodiscover.xml");
        var autodiscover = await http.PostXmlAsync(autodiscoverUrl, Documents.AutodiscoverRequest.Write($"postmaster@{domain}"), ct).ConfigureAwait(false);
        checks.Add(autodiscover.Body is null
            ? new DoctorCheck($"autodiscover {domain}", CheckStatus.Fail, $"{autodiscoverUrl}: {autodiscover.Error}", Unreachable("autodiscover", autodiscover))
            : !Documents.AutodiscoverResponse.TryParse(autodiscover.Body, $"postmaster@{domain}", autodiscoverUrl, SettingsTrust.Https, out var answer, out error)
                ? new DoctorCheck($"autodiscover {domain}", CheckStatus.Fail, $"{autodiscoverUrl}: not a usable Autodiscover response: {error}", "check the server's log; the response is generated from the listeners")
                : answer!.Settings.Count == 0
                    ? new DoctorCheck($"autodiscover {domain}", CheckStatus.Fail, $"{autodiscoverUrl} redirects ({answer.RedirectAddress ?? answer.RedirectUrl}) instead of answering", $"autodiscover.{domain} reaches another server: point it at {host}")
                    : SettingsNameThisServer($"autodiscover {domain}", autodiscoverUrl, answer.Settings, host, listeners, $"autodiscover.{domain}"));

        await MtaStsPolicyCheckAsync(domain, Url("mta-sts", "/.well-known/mta-sts.txt"), http, checks, ct).ConfigureAwait(false);
    }

    private static DoctorCheck SettingsNameThisServer(string name, string url, IReadOnlyList<ServerSetting> settings, string host, IReadOnlyList<ListenerUnderTest> listeners, string publishedName)
    {
        var expected = listeners.Where(l => l.Protocol == MailProtocol.Imap).Select(l => l.Port).ToHashSet();
        var imap = settings.Where(s => s.Protocol == MailProtocol.Imap).ToList();
        return imap.Any(s => s.Host.Equals(host, StringComparison.OrdinalIgnoreCase) && (expected.Count == 0 || expected.Contains(s.Port)))
            ? new DoctorCheck(name, CheckStatus.Pass, $"{url} → " + string.Join(", ", settings.Select(s => $"{s.Protocol.ToString().ToUpperInvariant()} {s.Host}:{s.Port} {s.Security.ToSocketType()}")))
            : new DoctorCheck(name, CheckStatus.Fail, $"{url} names " + (imap.Count == 0 ? "no IMAP server" : string.Join(", ", imap.Select(s => $"{s.Host}:{s.Port}"))) + $", not {host}",
                $"{publishedName} reaches another server: point it at {host}");
    }

    /// <summary>
    /// RFC 8461 §3.3/§4.1/§5: a sender that has the policy refuses (enforce) or reports (testing)
    /// delivery to an MX host no mx line covers — so a policy that misses an MX silently loses mail.
    /// </summary>
    private async Task MtaStsPolicyCheckAsync(string domain, string url, SettingsHttpClient http, List<DoctorCheck> checks, CancellationToken ct)
    {
        var txt = await dns.QueryAsync("_mta-sts." + domain, QueryType.TXT, QueryClass.IN, ct).ConfigureAwait(false);
        if (!txt.Answers.OfType<TxtRecord>().Any(t => string.Concat(t.Text).StartsWith("v=STSv1", StringComparison.Ordinal)))
        {
            return; // No policy announced: the record check above already says so.
        }
        var name = $"MTA-STS policy {domain}";
        var fetch = await http.GetAsync(url, ct).ConfigureAwait(false);
        if (fetch.Body is null)
        {
            checks.Add(new DoctorCheck(name, CheckStatus.Fail, $"{url}: {fetch.Error}",
                $"_mta-sts.{domain} announces a policy that cannot be fetched: serve it at {url} with a certificate for mta-sts.{domain}, or remove the record"));
            return;
        }
        if (!Documents.MtaStsPolicyText.TryParse(fetch.Body, out var policy, out var error))
        {
            checks.Add(new DoctorCheck(name, CheckStatus.Fail, $"{url}: {error}", "fix the policy (RFC 8461 §3.2): version: STSv1, mode, one mx line per MX host, max_age"));
            return;
        }
        var mx = await dns.QueryAsync(domain, QueryType.MX, QueryClass.IN, ct).ConfigureAwait(false);
        var uncovered = mx.Answers.OfType<MxRecord>().Select(m => m.Exchange.Value.TrimEnd('.')).Where(h => h.Length > 0 && !policy!.Covers(h)).ToArray();
        var summary = $"mode {policy!.Mode}, mx {string.Join(" ", policy.MxPatterns)}, max_age {policy.MaxAgeSeconds}";
        checks.Add(uncovered.Length == 0
            ? new DoctorCheck(name, CheckStatus.Pass, summary)
            : new DoctorCheck(name, policy.Mode == "enforce" ? CheckStatus.Fail : CheckStatus.Warn,
                $"{summary}: MX {string.Join(", ", uncovered)} not covered" + (policy.Mode == "enforce" ? " — senders with the policy will not deliver there" : ""),
                $"add \"mx: {uncovered[0]}\" to the policy and change the id= in _mta-sts.{domain} so senders fetch it again"));
    }

    private async Task DomainChecksAsync(string domain, string host, IReadOnlyList<IPAddress> hostAddresses, ServerDoctorInput input, List<DoctorCheck> checks, CancellationToken ct)
    {
        var mx = await dns.QueryAsync(domain, QueryType.MX, QueryClass.IN, ct).ConfigureAwait(false);
        var targets = mx.Answers.OfType<MxRecord>().OrderBy(m => m.Preference).Select(m => m.Exchange.Value.TrimEnd('.')).ToArray();
        if (targets.Length == 0)
        {
            checks.Add(new DoctorCheck($"MX {domain}", CheckStatus.Fail, $"{domain} has no MX record: mail for it goes to its A record or nowhere", $"publish: {domain}. IN MX 10 {host}."));
        }
        foreach (var target in targets)
        {
            if (IPAddress.TryParse(target, out _))
            {
                // RFC 5321 §5.1: an MX names a host, never an address.
                checks.Add(new DoctorCheck($"MX {domain}", CheckStatus.Fail, $"MX is the IP address {target}", $"point the MX at the host name: {domain}. IN MX 10 {host}."));
                continue;
            }
            var cname = await dns.QueryAsync(target, QueryType.CNAME, QueryClass.IN, ct).ConfigureAwait(false);
            if (cname.Answers.OfType<CNameRecord>().FirstOrDefault() is { } alias)
            {
                // RFC 2181 §10.3: an MX must not point at an alias.
                checks.Add(new DoctorCheck($"MX {domain}", CheckStatus.Fail, $"MX {target} is a CNAME (to {alias.CanonicalName.Value.TrimEnd('.')})", $"point the MX at the canonical name: {domain}. IN MX 10 {host}."));
                continue;
            }
            checks.Add(target.Equals(host, StringComparison.OrdinalIgnoreCase)
                ? new DoctorCheck($"MX {domain}", CheckStatus.Pass, target)
                : new DoctorCheck($"MX {domain}", CheckStatus.Warn, $"MX {target} is not this server ({host})", $"if this server should receive {domain}'s mail: {domain}. IN MX 10 {host}."));
        }

        // RFC 6186 SRV records, consistent with the listeners that run.
        foreach (var (service, protocol, security) in new[] { ("_imaps._tcp", MailProtocol.Imap, SocketSecurity.Ssl), ("_imap._tcp", MailProtocol.Imap, SocketSecurity.StartTls), ("_pop3s._tcp", MailProtocol.Pop3, SocketSecurity.Ssl), ("_pop3._tcp", MailProtocol.Pop3, SocketSecurity.StartTls) })
        {
            var listener = input.Listeners.FirstOrDefault(l => l.Protocol == protocol && l.Security == security);
            var name = $"{service}.{domain}";
            var srv = (await dns.QueryAsync(name, QueryType.SRV, QueryClass.IN, ct).ConfigureAwait(false)).Answers.OfType<SrvRecord>().FirstOrDefault();
            var target = srv?.Target.Value.TrimEnd('.');
            var expected = listener is null ? $"{name}. IN SRV 0 0 0 ." : $"{name}. IN SRV 0 1 {listener.Port} {host}.";
            if (srv is null)
            {
                checks.Add(new DoctorCheck($"SRV {name}", CheckStatus.Warn, "no record (clients using RFC 6186 cannot find the server)", $"publish: {expected}"));
            }
            else if (listener is null ? target!.Length != 0 : !host.Equals(target, StringComparison.OrdinalIgnoreCase) || srv.Port != listener.Port)
            {
                checks.Add(new DoctorCheck($"SRV {name}", CheckStatus.Fail, $"says {(target!.Length == 0 ? "not offered" : $"{target}:{srv.Port}")}, the server runs {(listener is null ? "no such listener" : $"{host}:{listener.Port}")}", $"publish: {expected}"));
            }
            else
            {
                checks.Add(new DoctorCheck($"SRV {name}", CheckStatus.Pass, target!.Length == 0 ? "not offered (matches)" : $"{target}:{srv.Port}"));
            }
        }
        foreach (var label in new[] { "autoconfig", "autodiscover" })
        {
            var name = $"{label}.{domain}";
            var resolved = await new HostResolver(dns).ResolveAsync(name, ct).ConfigureAwait(false);
            checks.Add(resolved.Count == 0
                ? new DoctorCheck(name, CheckStatus.Warn, "does not resolve: clients cannot fetch their settings there", $"publish: {name}. IN CNAME {host}.")
                : resolved.Any(hostAddresses.Contains)
                    ? new DoctorCheck(name, CheckStatus.Pass, string.Join(", ", resolved))
                    : new DoctorCheck(name, CheckStatus.Fail, $"resolves to {string.Join(", ", resolved)}, not this server", $"publish: {name}. IN CNAME {host}."));
        }
        await TxtChecksAsync(domain, checks, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Null when a receiver could evaluate <paramref name="record"/>; otherwise why it would give a
    /// permerror. The same grammar the SMTP receiver evaluates with (RFC 7208 §12), plus the limit of
    /// 10 DNS-querying terms (§4.6.4) counted on the record itself.
    /// </summary>
    private static string? SpfProblem(string record)
    {
        var (parsed, error) = SpfRecord.Parse(record);
        if (parsed is null)
        {
            return error;
        }
        return parsed.LookupTerms > 10 ? $"{parsed.LookupTerms} DNS lookups (more than 10 is a permanent error)" : null;
    }

    private async Task TxtChecksAsync(string domain, List<DoctorCheck> checks, CancellationToken ct)
    {
        async Task<string[]> Txt(string name) => (await dns.QueryAsync(name, QueryType.TXT, QueryClass.IN, ct).ConfigureAwait(false)).Answers.OfType<TxtRecord>().Select(t => string.Concat(t.Text)).ToArray();

        var spf = (await Txt(domain).ConfigureAwait(false)).Where(t => t.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (t.Length == 6 || t[6] == ' ')).ToArray();
        checks.Add(spf.Length switch
        {
            0 => new DoctorCheck($"SPF {domain}", CheckStatus.Warn, "no SPF record", $"publish: {domain}. IN TXT \"v=spf1 mx -all\""),
            > 1 => new DoctorCheck($"SPF {domain}", CheckStatus.Fail, $"{spf.Length} SPF records: receivers treat this as a permanent error (RFC 7208 §4.5)", "merge them into one v=spf1 record"),
            _ => SpfProblem(spf[0]) is { } spfError
                ? new DoctorCheck($"SPF {domain}", CheckStatus.Fail, $"\"{spf[0]}\": {spfError}", "fix the record's syntax (RFC 7208 §12)")
                : new DoctorCheck($"SPF {domain}", CheckStatus.Pass, spf[0]),
        });

        var dmarc = (await Txt("_dmarc." + domain).ConfigureAwait(false)).Where(t => t.StartsWith("v=DMARC1", StringComparison.Ordinal)).ToArray();
        var policy = dmarc.Length == 1 ? Tags(dmarc[0]).GetValueOrDefault("p") : null;
        checks.Add(dmarc.Length == 0
            ? new DoctorCheck($"DMARC {domain}", CheckStatus.Warn, "no DMARC record", $"publish: _dmarc.{domain}. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@{domain}\"")
            : dmarc.Length > 1 || policy is not ("none" or "quarantine" or "reject")
                ? new DoctorCheck($"DMARC {domain}", CheckStatus.Fail, dmarc.Length > 1 ? "more than one DMARC record" : $"\"{dmarc[0]}\": p= must be none, quarantine or reject (RFC 7489 §6.3)", "publish exactly one record with a valid p= tag")
                : new DoctorCheck($"DMARC {domain}", CheckStatus.Pass, dmarc[0]));

        var sts = (await Txt("_mta-sts." + domain).ConfigureAwait(false)).Where(t => t.StartsWith("v=STSv1", StringComparison.Ordinal)).ToArray();
        var id = sts.Length == 1 ? Tags(sts[0]).GetValueOrDefault("id") : null;
        checks.Add(sts.Length == 0
            ? new DoctorCheck($"MTA-STS {domain}", CheckStatus.Warn, "no MTA-STS record (senders may deliver without TLS)", $"publish _mta-sts.{domain} TXT \"v=STSv1; id=...\" and the policy at https://mta-sts.{domain}/.well-known/mta-sts.txt")
            : id is null || id.Length is 0 or > 32 || !id.All(char.IsAsciiLetterOrDigit)
                ? new DoctorCheck($"MTA-STS {domain}", CheckStatus.Fail, $"\"{sts[0]}\": id= must be 1–32 letters and digits (RFC 8461 §3.1)", "fix the id= tag")
                : new DoctorCheck($"MTA-STS {domain}", CheckStatus.Pass, sts[0]));
    }

    private static Dictionary<string, string> Tags(string record) => record.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(t => t.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);

    private void CertificateChecks(ServerDoctorInput input, string host, List<DoctorCheck> checks)
    {
        var certificate = input.Certificate;
        var options = probe.Options;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var trusted = chain.Build(certificate);
        var report = CertificateCheck.Check(certificate, chain, trusted ? System.Net.Security.SslPolicyErrors.None : System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, host, options);
        var trustProblem = report.Problems.FirstOrDefault(p => p.Contains("not trusted", StringComparison.Ordinal));
        checks.Add(trustProblem is null
            ? new DoctorCheck("certificate chain", CheckStatus.Pass, $"issued by {certificate.Issuer}")
            : new DoctorCheck("certificate chain", CheckStatus.Fail, trustProblem, "use a certificate from a public CA (Let's Encrypt) and install the full chain"));
        var daysLeft = (report.NotAfter - options.Time.GetUtcNow()).TotalDays;
        checks.Add(daysLeft < 0
            ? new DoctorCheck("certificate expiry", CheckStatus.Fail, $"expired on {report.NotAfter:yyyy-MM-dd}", "renew the certificate now")
            : daysLeft < ExpiryWarningDays
                ? new DoctorCheck("certificate expiry", CheckStatus.Warn, $"expires on {report.NotAfter:yyyy-MM-dd} ({(int)daysLeft} days)", "renew it (is the ACME renewal job running?)")
                : new DoctorCheck("certificate expiry", CheckStatus.Pass, $"valid until {report.NotAfter:yyyy-MM-dd}"));
        var wanted = new[] { host }.Concat(input.Domains.SelectMany(d => new[] { "autoconfig." + d, "autodiscover." + d })).ToArray();
        var missing = wanted.Where(n => !Net.CertificateStore.Covers(certificate, n)).ToArray();
        checks.Add(!Net.CertificateStore.Covers(certificate, host)
            ? new DoctorCheck("certificate names", CheckStatus.Fail, $"certificate is for {string.Join(", ", report.Names)}, not {host}", $"get a certificate naming {host}")
            : missing.Length > 0
                ? new DoctorCheck("certificate names", CheckStatus.Warn, $"covers {host} but not {string.Join(", ", missing)}", "add those names so autoconfig/Autodiscover over https validate")
                : new DoctorCheck("certificate names", CheckStatus.Pass, string.Join(", ", report.Names)));
        checks.Add(new DoctorCheck("certificate SHA-256", CheckStatus.Pass, report.Sha256Fingerprint));
    }

    private async Task LoginRoundTripAsync(ServerDoctorInput input, string host, List<DoctorCheck> checks, CancellationToken ct)
    {
        var imap = input.Listeners.FirstOrDefault(l => l.Protocol == MailProtocol.Imap && l.Security == SocketSecurity.Ssl) ?? input.Listeners.FirstOrDefault(l => l.Protocol == MailProtocol.Imap);
        if (input.CreateTemporaryAccount is null || imap is null)
        {
            checks.Add(new DoctorCheck("login round-trip", CheckStatus.Skip, imap is null ? "no IMAP listener" : "no directory to create a temporary account in"));
            return;
        }
        var account = await input.CreateTemporaryAccount(ct).ConfigureAwait(false);
        try
        {
            var at = account.Username.IndexOf('@', StringComparison.Ordinal);
            var doctor = new ClientDoctor(null, new HostResolver(dns), probe);
            var report = await doctor.RunAsync(new ClientDoctorRequest(account.Username[..at], account.Username[(at + 1)..])
            {
                Host = host,
                Port = imap.Port,
                Security = imap.Security,
                Username = account.Username,
                Password = account.Password,
            }, ct).ConfigureAwait(false);
            var failed = report.Checks.FirstOrDefault(c => c.Status == CheckStatus.Fail);
            checks.Add(failed is null
                ? new DoctorCheck("login round-trip", CheckStatus.Pass, $"temporary account logged in over {host}:{imap.Port} and opened INBOX")
                : new DoctorCheck("login round-trip", CheckStatus.Fail, $"{failed.Name}: {failed.Detail}", failed.Fix));
        }
        finally
        {
            await account.RemoveAsync().ConfigureAwait(false);
        }
    }
}
