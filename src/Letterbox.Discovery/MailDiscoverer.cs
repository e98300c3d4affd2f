using DnsClient;
using DnsClient.Protocol;
using Letterbox.Core.Domains;
using Letterbox.Discovery.Documents;
using Letterbox.Discovery.Probing;
using Letterbox.Discovery.Providers;

namespace Letterbox.Discovery;

/// <summary>
/// Finds the IMAP, POP3 and SMTP settings for an address in Thunderbird's order: the provider
/// table; autoconfig over https, then http; the central ISPDB; the MX host's domains; Autodiscover;
/// RFC 6186 SRV records; and last, guessing host names with real probes (implicit TLS first).
/// The first mechanism that yields an incoming server wins; every step is recorded.
/// </summary>
public sealed class MailDiscoverer : IDisposable
{
    private readonly DiscoveryOptions _options;
    private readonly ProviderTable _providers;
    private readonly HostResolver _resolver;
    private readonly MailServerProbe _probe;
    private readonly SettingsHttpClient _http;

    /// <summary>A discoverer asking <paramref name="dns"/> (see Letterbox.Net.Dns.DnsLookup.Create).</summary>
    public MailDiscoverer(ILookupClient dns, DiscoveryOptions options, ProviderTable? providers = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _providers = providers ?? ProviderTable.Default;
        _resolver = new HostResolver(dns);
        _probe = new MailServerProbe(_resolver, options.Probe);
        _http = new SettingsHttpClient(_resolver, options);
    }

    /// <summary>The probe discovery uses (doctor reuses it).</summary>
    public MailServerProbe Probe => _probe;

    /// <summary>Discovers settings for <paramref name="localPart"/>@<paramref name="domain"/>.</summary>
    public async Task<DiscoveryResult> DiscoverAsync(string localPart, string domain, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(localPart);
        ArgumentNullException.ThrowIfNull(domain);
        domain = domain.TrimEnd('.').ToLowerInvariant();
        var address = localPart + "@" + domain;
        var steps = new List<DiscoveryStep>();
        DiscoveryResult Done(IReadOnlyList<ServerSetting> settings, string mechanism, IReadOnlyList<string>? notes = null) =>
            new(address, settings, steps) { Mechanism = mechanism, Notes = notes ?? [] };

        var provider = _providers.FindByDomain(domain);
        steps.Add(new DiscoveryStep("provider table", domain, provider is not null, provider is null ? "not in the table" : $"{provider.Name} ({provider.Source})"));
        if (provider is not null)
        {
            return Done(provider.SettingsFor(localPart, domain), "provider table", provider.Notes);
        }
        if (_options.Offline)
        {
            return new DiscoveryResult(address, [], steps);
        }

        var found = await AutoconfigAsync(domain, localPart, domain, steps, ct).ConfigureAwait(false)
            ?? await IspdbAsync(domain, localPart, domain, steps, ct).ConfigureAwait(false);
        if (found is not null)
        {
            return Done(found.Value.Settings, found.Value.Mechanism);
        }

        var viaMx = await MxAsync(localPart, domain, steps, ct).ConfigureAwait(false);
        if (viaMx is not null)
        {
            return Done(viaMx.Value.Settings, viaMx.Value.Mechanism, viaMx.Value.Notes);
        }

        var autodiscover = await AutodiscoverAsync(address, domain, steps, ct).ConfigureAwait(false);
        if (autodiscover is not null)
        {
            return Done(autodiscover.Value.Settings, autodiscover.Value.Mechanism);
        }

        var srv = await SrvAsync(address, domain, steps, ct).ConfigureAwait(false);
        if (srv.Any(s => s.Protocol != MailProtocol.Smtp))
        {
            return Done(srv, "RFC 6186 SRV");
        }

        var guessed = await GuessAsync(address, domain, steps, ct).ConfigureAwait(false);
        return guessed.Count > 0 ? Done([.. srv, .. guessed], "guess") : new DiscoveryResult(address, srv, steps);
    }

    // Thunderbird: https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=, then
    // https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml; then both over http.
    private async Task<(IReadOnlyList<ServerSetting> Settings, string Mechanism)?> AutoconfigAsync(string host, string localPart, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var query = "?emailaddress=" + Uri.EscapeDataString(localPart + "@" + domain);
        foreach (var scheme in new[] { "https", "http" })
        {
            foreach (var url in new[] { $"{scheme}://autoconfig.{host}/mail/config-v1.1.xml{query}", $"{scheme}://{host}/.well-known/autoconfig/mail/config-v1.1.xml{query}" })
            {
                var trust = scheme == "https" ? SettingsTrust.Https : SettingsTrust.Http;
                var settings = await FetchAutoconfigAsync("autoconfig", url, localPart, domain, trust, steps, ct).ConfigureAwait(false);
                if (settings is not null)
                {
                    return (settings, scheme == "https" ? "autoconfig (https)" : "autoconfig (http)");
                }
            }
        }
        return null;
    }

    private async Task<(IReadOnlyList<ServerSetting> Settings, string Mechanism)?> IspdbAsync(string lookupDomain, string localPart, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(_options.IspdbUrl))
        {
            return null;
        }
        var url = _options.IspdbUrl.TrimEnd('/') + "/" + lookupDomain;
        var trust = url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? SettingsTrust.Https : SettingsTrust.Http;
        var settings = await FetchAutoconfigAsync("ISPDB", url, localPart, domain, trust, steps, ct).ConfigureAwait(false);
        return settings is null ? null : (settings, "ISPDB");
    }

    private async Task<IReadOnlyList<ServerSetting>?> FetchAutoconfigAsync(string mechanism, string url, string localPart, string domain, SettingsTrust trust, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var fetch = await _http.GetAsync(url, ct).ConfigureAwait(false);
        if (fetch.Body is null)
        {
            steps.Add(new DiscoveryStep(mechanism, url, false, fetch.Error ?? "no answer"));
            return null;
        }
        if (!AutoconfigDocument.TryParse(fetch.Body, localPart, domain, url, trust, out var settings, out var error))
        {
            steps.Add(new DiscoveryStep(mechanism, url, false, $"unusable document: {error}"));
            return null;
        }
        if (trust == SettingsTrust.Http)
        {
            settings = settings.Select(s => s with { Warnings = [.. s.Warnings, "fetched over plain http: anyone on the network path could have altered it; confirm before use"] }).ToArray();
        }
        steps.Add(new DiscoveryStep(mechanism, url, true, $"{settings.Count} server(s)"));
        return settings;
    }

    // Thunderbird: the MX host's domain (first label removed), then its registrable domain, each
    // looked up in the table, the ISPDB and autoconfig. Google Workspace and Microsoft 365 domains land here.
    private async Task<(IReadOnlyList<ServerSetting> Settings, string Mechanism, IReadOnlyList<string> Notes)?> MxAsync(string localPart, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var response = await _resolver.Dns.QueryAsync(domain, QueryType.MX, QueryClass.IN, ct).ConfigureAwait(false);
        var mx = response.Answers.OfType<MxRecord>().OrderBy(m => m.Preference).Select(m => m.Exchange.Value.TrimEnd('.').ToLowerInvariant()).FirstOrDefault(h => h.Length > 0);
        if (mx is null)
        {
            steps.Add(new DiscoveryStep("MX", domain, false, response.HasError ? $"DNS error: {response.ErrorMessage}" : "no MX record"));
            return null;
        }
        steps.Add(new DiscoveryStep("MX", domain, true, mx));
        var byMx = _providers.FindByMx(mx);
        if (byMx is not null)
        {
            steps.Add(new DiscoveryStep("provider table (MX)", mx, true, $"{byMx.Name} ({byMx.Source})"));
            return (byMx.SettingsFor(localPart, domain).Select(s => s with { Source = $"provider table by MX {mx}: {byMx.Name} ({byMx.Source})" }).ToArray(), "provider table (MX)", byMx.Notes);
        }
        var candidates = new List<string>();
        var dot = mx.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && mx[(dot + 1)..].Contains('.', StringComparison.Ordinal))
        {
            candidates.Add(mx[(dot + 1)..]);
        }
        if (PublicSuffixList.Default.GetRegistrableDomain(mx) is { } registrable)
        {
            candidates.Add(registrable);
        }
        foreach (var candidate in candidates.Distinct(StringComparer.OrdinalIgnoreCase).Where(c => !c.Equals(domain, StringComparison.OrdinalIgnoreCase)))
        {
            var provider = _providers.FindByDomain(candidate);
            steps.Add(new DiscoveryStep("provider table (MX domain)", candidate, provider is not null, provider?.Name ?? "not in the table"));
            if (provider is not null)
            {
                return (provider.SettingsFor(localPart, domain), "provider table (MX domain)", provider.Notes);
            }
            var found = await IspdbAsync(candidate, localPart, domain, steps, ct).ConfigureAwait(false);
            if (found is not null)
            {
                return (found.Value.Settings, "ISPDB (MX domain)", []);
            }
            var https = await FetchAutoconfigAsync("autoconfig (MX domain)", $"https://autoconfig.{candidate}/mail/config-v1.1.xml?emailaddress={Uri.EscapeDataString(localPart + "@" + domain)}", localPart, domain, SettingsTrust.Https, steps, ct).ConfigureAwait(false);
            if (https is not null)
            {
                return (https, "autoconfig (MX domain)", []);
            }
        }
        return null;
    }

    private async Task<(IReadOnlyList<ServerSetting> Settings, string Mechanism)?> AutodiscoverAsync(string address, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var urls = new List<string> { $"https://{domain}/autodiscover/autodiscover.xml", $"https://autodiscover.{domain}/autodiscover/autodiscover.xml" };
        var srv = await _resolver.Dns.QueryAsync("_autodiscover._tcp." + domain, QueryType.SRV, QueryClass.IN, ct).ConfigureAwait(false);
        foreach (var record in srv.Answers.OfType<SrvRecord>().OrderBy(r => r.Priority).ThenByDescending(r => r.Weight))
        {
            var target = record.Target.Value.TrimEnd('.');
            if (target.Length > 0)
            {
                urls.Add(record.Port == 443 ? $"https://{target}/autodiscover/autodiscover.xml" : $"https://{target}:{record.Port}/autodiscover/autodiscover.xml");
            }
        }
        steps.Add(new DiscoveryStep("Autodiscover SRV", "_autodiscover._tcp." + domain, urls.Count > 2, urls.Count > 2 ? urls[2] : "no record"));
        var asked = address;
        for (var redirects = 0; redirects < 2; redirects++)
        {
            string? redirectTo = null;
            foreach (var url in urls)
            {
                var fetch = await _http.PostXmlAsync(url, AutodiscoverRequest.Write(asked), ct).ConfigureAwait(false);
                if (fetch.Body is null)
                {
                    steps.Add(new DiscoveryStep("Autodiscover", url, false, fetch.Error ?? "no answer"));
                    continue;
                }
                if (!AutodiscoverResponse.TryParse(fetch.Body, address, url, SettingsTrust.Https, out var answer, out var error))
                {
                    steps.Add(new DiscoveryStep("Autodiscover", url, false, $"unusable response: {error}"));
                    continue;
                }
                if (answer!.RedirectAddress is { } redirect)
                {
                    steps.Add(new DiscoveryStep("Autodiscover", url, false, $"redirected to address {redirect}"));
                    redirectTo = redirect;
                    break;
                }
                if (answer.Settings.Count > 0)
                {
                    steps.Add(new DiscoveryStep("Autodiscover", url, true, $"{answer.Settings.Count} server(s)"));
                    return (answer.Settings, "Autodiscover");
                }
                steps.Add(new DiscoveryStep("Autodiscover", url, false, answer.RedirectUrl is { } u ? $"redirect to URL {u} not followed" : "no settings"));
            }
            if (redirectTo is null || !redirectTo.Contains('@', StringComparison.Ordinal))
            {
                break;
            }
            asked = redirectTo;
            var redirectDomain = redirectTo[(redirectTo.IndexOf('@', StringComparison.Ordinal) + 1)..];
            urls = [$"https://{redirectDomain}/autodiscover/autodiscover.xml", $"https://autodiscover.{redirectDomain}/autodiscover/autodiscover.xml"];
        }
        return null;
    }

    // RFC 6186 §3.1 (IMAP/POP3) and RFC 8314 §5.1 (_submissions); §3.4: target "." = not offered.
    private async Task<IReadOnlyList<ServerSetting>> SrvAsync(string address, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var services = new (string Service, MailProtocol Protocol, SocketSecurity Security)[]
        {
            ("_imaps._tcp", MailProtocol.Imap, SocketSecurity.Ssl),
            ("_imap._tcp", MailProtocol.Imap, SocketSecurity.StartTls),
            ("_pop3s._tcp", MailProtocol.Pop3, SocketSecurity.Ssl),
            ("_pop3._tcp", MailProtocol.Pop3, SocketSecurity.StartTls),
            ("_submissions._tcp", MailProtocol.Smtp, SocketSecurity.Ssl),
            ("_submission._tcp", MailProtocol.Smtp, SocketSecurity.StartTls),
        };
        var settings = new List<ServerSetting>();
        foreach (var (service, protocol, security) in services)
        {
            var name = service + "." + domain;
            var response = await _resolver.Dns.QueryAsync(name, QueryType.SRV, QueryClass.IN, ct).ConfigureAwait(false);
            var record = response.Answers.OfType<SrvRecord>().OrderBy(r => r.Priority).ThenByDescending(r => r.Weight).FirstOrDefault();
            if (record is null)
            {
                steps.Add(new DiscoveryStep("SRV", name, false, "no record"));
                continue;
            }
            var target = record.Target.Value.TrimEnd('.');
            if (target.Length == 0)
            {
                steps.Add(new DiscoveryStep("SRV", name, false, "\".\": the service is explicitly not offered"));
                continue;
            }
            steps.Add(new DiscoveryStep("SRV", name, true, $"{target}:{record.Port}"));
            settings.Add(new ServerSetting(protocol, target.ToLowerInvariant(), record.Port, security, address, $"DNS SRV {name}", SettingsTrust.Dns));
        }
        return settings;
    }

    // Thunderbird's guess: imap./pop3./pop./mail./smtp. and the bare domain, implicit TLS first.
    private async Task<IReadOnlyList<ServerSetting>> GuessAsync(string address, string domain, List<DiscoveryStep> steps, CancellationToken ct)
    {
        var plans = new (MailProtocol Protocol, string[] Hosts)[]
        {
            (MailProtocol.Imap, [$"imap.{domain}", $"mail.{domain}", domain]),
            (MailProtocol.Pop3, [$"pop3.{domain}", $"pop.{domain}", $"mail.{domain}", domain]),
            (MailProtocol.Smtp, [$"smtp.{domain}", $"mail.{domain}", domain]),
        };
        var settings = new List<ServerSetting>();
        foreach (var (protocol, hosts) in plans)
        {
            ServerSetting? fallback = null;
            ServerSetting? chosen = null;
            foreach (var host in hosts)
            {
                foreach (var security in new[] { SocketSecurity.Ssl, SocketSecurity.StartTls })
                {
                    var port = SocketSecurityNames.StandardPort(protocol, security);
                    var result = await _probe.ProbeAsync(protocol, host, port, security, ct).ConfigureAwait(false);
                    steps.Add(new DiscoveryStep("guess", $"{host}:{port} {security.ToSocketType()}", result.Succeeded, result.Advice ?? $"{result.Greeting} (TLS {result.TlsProtocol})"));
                    if (result.Succeeded)
                    {
                        chosen = new ServerSetting(protocol, host, port, security, address, $"probe of {host}:{port}", SettingsTrust.Verified);
                        break;
                    }
                    if (result.Outcome == ProbeOutcome.NotResolved)
                    {
                        break;
                    }
                    // Never chosen quietly: a server without TLS or with a bad certificate is reported with its problem.
                    if (fallback is null && result.Outcome is ProbeOutcome.NoTlsOffered or ProbeOutcome.CertificateProblem)
                    {
                        var reported = result.Outcome == ProbeOutcome.NoTlsOffered ? SocketSecurity.None : security;
                        var warning = result.Outcome == ProbeOutcome.NoTlsOffered ? $"INSECURE: {result.Advice}" : $"CERTIFICATE: {result.Advice}";
                        fallback = new ServerSetting(protocol, host, port, reported, address, $"probe of {host}:{port}", SettingsTrust.Guessed) { Warnings = [warning] };
                    }
                }
                if (chosen is not null)
                {
                    break;
                }
            }
            if ((chosen ?? fallback) is { } setting)
            {
                settings.Add(setting);
            }
        }
        return settings;
    }

    public void Dispose() => _http.Dispose();
}
