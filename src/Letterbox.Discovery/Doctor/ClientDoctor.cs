using System.Net;
using System.Net.Sockets;
using Letterbox.Discovery.ErrorCodes;
using Letterbox.Discovery.Probing;
using Letterbox.Discovery.Providers;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace Letterbox.Discovery.Doctor;

/// <summary>What the user asks doctor to check: an address and, optionally, the settings they typed.</summary>
public sealed record ClientDoctorRequest(string LocalPart, string Domain)
{
    public MailProtocol Protocol { get; init; } = MailProtocol.Imap;
    public string? Host { get; init; }
    public int? Port { get; init; }
    public SocketSecurity? Security { get; init; }
    public string? Username { get; init; }
    /// <summary>When set, a real login and a post-login check are made. Never logged or printed.</summary>
    public string? Password { get; init; }
    public string Address => LocalPart + "@" + Domain;
}

/// <summary>
/// <c>letterbox doctor ADDRESS</c>: takes the given settings (or discovers them), then resolves,
/// connects, checks TLS and the certificate, the greeting, capabilities and mechanisms, and with a
/// password logs in and opens INBOX (IMAP, after ID) or runs STAT (POP3). Every failure says what it
/// means and what to change.
/// </summary>
public sealed class ClientDoctor(MailDiscoverer? discoverer, HostResolver resolver, MailServerProbe? probe = null)
{
    private MailServerProbe Probe => probe ?? discoverer?.Probe ?? throw new InvalidOperationException("ClientDoctor needs a discoverer or a probe.");

    private ProbeOptions Options => Probe.Options;

    public async Task<DoctorReport> RunAsync(ClientDoctorRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var checks = new List<DoctorCheck>();
        var provider = ProviderTable.Default.FindByDomain(request.Domain);
        var setting = await SettingsAsync(request, checks, ct).ConfigureAwait(false);
        if (setting is null)
        {
            return new DoctorReport(checks);
        }
        if (provider is not null && request.Host is not null)
        {
            var expected = request.Protocol == MailProtocol.Pop3 ? provider.Pop3 : provider.Imap;
            if (expected is not null && !expected.Host.Equals(setting.Host, StringComparison.OrdinalIgnoreCase))
            {
                checks.Add(new DoctorCheck("provider", CheckStatus.Warn, $"{provider.Name}'s {ProbeAdvice.Name(request.Protocol)} server is {expected.Host}:{expected.Port} ({expected.Socket}), not {setting.Host}", $"use {expected.Host} ({provider.Source})"));
            }
            else if (expected is null)
            {
                checks.Add(new DoctorCheck("provider", CheckStatus.Fail, $"{provider.Name} offers no {ProbeAdvice.Name(request.Protocol)}", string.Join(" ", provider.Notes)));
            }
        }
        var expectedUser = provider is null ? null : UsernameTemplate.Fill((request.Protocol == MailProtocol.Pop3 ? provider.Pop3?.Username : provider.Imap?.Username) ?? provider.Username, request.LocalPart, request.Domain);
        if (expectedUser is not null && !expectedUser.Equals(setting.Username, StringComparison.OrdinalIgnoreCase))
        {
            checks.Add(new DoctorCheck("username", CheckStatus.Fail, $"username \"{setting.Username}\" is not what {provider!.Name} expects",
                expectedUser.Contains('@', StringComparison.Ordinal) ? $"username must be the full address: {expectedUser}" : $"username must be {expectedUser} (the part before @)"));
        }

        var addresses = await resolver.ResolveAsync(setting.Host, ct).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            checks.Add(new DoctorCheck("resolve", CheckStatus.Fail, $"{setting.Host} has no A or AAAA record", "check the spelling of the server name"));
            return new DoctorReport(checks);
        }
        checks.Add(new DoctorCheck("resolve", CheckStatus.Pass, $"{setting.Host} → {string.Join(", ", addresses)}"));

        var result = await Probe.ProbeAsync(setting.Protocol, setting.Host, setting.Port, setting.Security, ct).ConfigureAwait(false);
        AddProbeChecks(result, checks);
        if (!result.Succeeded || request.Password is null)
        {
            if (result.Succeeded)
            {
                checks.Add(new DoctorCheck("login", CheckStatus.Skip, "no password given (use --password-stdin for a real login)"));
            }
            return new DoctorReport(checks);
        }
        await LoginAsync(request, setting, addresses, provider, checks, ct).ConfigureAwait(false);
        return new DoctorReport(checks);
    }

    private async Task<ServerSetting?> SettingsAsync(ClientDoctorRequest request, List<DoctorCheck> checks, CancellationToken ct)
    {
        if (request.Host is not null)
        {
            var security = request.Security ?? (request.Port is { } p && p == SocketSecurityNames.StandardPort(request.Protocol, SocketSecurity.StartTls) ? SocketSecurity.StartTls : SocketSecurity.Ssl);
            var port = request.Port ?? SocketSecurityNames.StandardPort(request.Protocol, security);
            var given = new ServerSetting(request.Protocol, request.Host.TrimEnd('.').ToLowerInvariant(), port, security, request.Username ?? request.Address, "given on the command line", SettingsTrust.Guessed);
            checks.Add(new DoctorCheck("settings", CheckStatus.Pass, $"{ProbeAdvice.Name(given.Protocol)} {given.Host}:{given.Port} {given.Security.ToSocketType()}, username {given.Username} (given)"));
            return given;
        }
        if (discoverer is null)
        {
            checks.Add(new DoctorCheck("settings", CheckStatus.Fail, "no server given and discovery is not available", "pass --imap-host, --port and --security"));
            return null;
        }
        var found = await discoverer.DiscoverAsync(request.LocalPart, request.Domain, ct).ConfigureAwait(false);
        var best = found.Best(request.Protocol);
        if (best is null)
        {
            checks.Add(new DoctorCheck("settings", CheckStatus.Fail, $"no {ProbeAdvice.Name(request.Protocol)} settings found for {request.Domain} ({found.Steps.Count} lookups tried)", "ask the provider for the server name, port and security, then pass --imap-host/--port/--security"));
            return null;
        }
        best = request.Username is null ? best : best with { Username = request.Username };
        checks.Add(new DoctorCheck("settings", CheckStatus.Pass, $"{ProbeAdvice.Name(best.Protocol)} {best.Host}:{best.Port} {best.Security.ToSocketType()}, username {best.Username} (from {found.Mechanism}: {best.Source})"));
        return best;
    }

    private void AddProbeChecks(ProbeResult probe, List<DoctorCheck> checks)
    {
        switch (probe.Outcome)
        {
            case ProbeOutcome.NotResolved or ProbeOutcome.Refused or ProbeOutcome.TimedOut or ProbeOutcome.ConnectionLost:
                checks.Add(new DoctorCheck("connect", CheckStatus.Fail, $"{probe.Host}:{probe.Port}: {probe.Outcome} after {probe.Attempts} attempt(s)", probe.Advice));
                return;
            case ProbeOutcome.SpeaksTlsAtOnce or ProbeOutcome.SpeaksPlaintext or ProbeOutcome.TlsFailed or ProbeOutcome.NoTlsOffered:
                checks.Add(new DoctorCheck("connect", CheckStatus.Pass, $"{probe.Host}:{probe.Port} ({probe.Address}) accepts connections"));
                checks.Add(new DoctorCheck("security", CheckStatus.Fail, $"{probe.Security.ToSocketType()} does not work on port {probe.Port}", probe.Advice));
                return;
            case ProbeOutcome.CertificateProblem:
                checks.Add(new DoctorCheck("connect", CheckStatus.Pass, $"{probe.Host}:{probe.Port} ({probe.Address}) accepts connections"));
                checks.Add(new DoctorCheck("certificate", CheckStatus.Fail, string.Join("; ", probe.Certificate!.Problems) + $" (SHA-256 {probe.Certificate.Sha256Fingerprint})", probe.Advice));
                return;
            case ProbeOutcome.BadGreeting:
                checks.Add(new DoctorCheck("greeting", CheckStatus.Fail, probe.Greeting ?? "no greeting", probe.Advice));
                return;
        }
        checks.Add(new DoctorCheck("connect", CheckStatus.Pass, $"{probe.Host}:{probe.Port} ({probe.Address})"));
        if (probe.Security == SocketSecurity.None)
        {
            checks.Add(new DoctorCheck("security", CheckStatus.Warn, "no TLS: the password would travel unencrypted", probe.Advice));
        }
        else
        {
            checks.Add(new DoctorCheck("tls", CheckStatus.Pass, $"{probe.Security.ToSocketType()}, {probe.TlsProtocol}"));
            var certificate = probe.Certificate!;
            var daysLeft = (certificate.NotAfter - Options.Time.GetUtcNow()).TotalDays;
            checks.Add(new DoctorCheck("certificate", daysLeft < 14 ? CheckStatus.Warn : CheckStatus.Pass,
                $"{string.Join(", ", certificate.Names)}; valid until {certificate.NotAfter:yyyy-MM-dd}; SHA-256 {certificate.Sha256Fingerprint}",
                daysLeft < 14 ? $"expires in {Math.Max(0, (int)daysLeft)} days: the administrator must renew it" : null));
        }
        checks.Add(new DoctorCheck("greeting", CheckStatus.Pass, probe.Greeting ?? ""));
        checks.Add(new DoctorCheck("capabilities", CheckStatus.Pass, string.Join(' ', probe.Capabilities)));
        var loginDisabled = probe.Capabilities.Any(c => c.Equals("LOGINDISABLED", StringComparison.OrdinalIgnoreCase));
        if (probe.AuthMechanisms.Count == 0 && probe.Protocol != MailProtocol.Pop3 || loginDisabled)
        {
            checks.Add(new DoctorCheck("auth mechanisms", CheckStatus.Warn, loginDisabled ? "LOGINDISABLED: the server refuses passwords on this connection" : "no SASL mechanism advertised", "use TLS (SSL/TLS or STARTTLS); passwords are only accepted over TLS"));
        }
        else
        {
            var oauthOnly = probe.AuthMechanisms.Count > 0 && probe.AuthMechanisms.All(m => m is "XOAUTH2" or "OAUTHBEARER");
            checks.Add(new DoctorCheck("auth mechanisms", oauthOnly ? CheckStatus.Warn : CheckStatus.Pass, probe.AuthMechanisms.Count > 0 ? string.Join(' ', probe.AuthMechanisms) : "USER/PASS",
                oauthOnly ? "the server accepts only OAuth2: use a client that signs in through the provider's web page" : null));
        }
    }

    private async Task LoginAsync(ClientDoctorRequest request, ServerSetting setting, IReadOnlyList<IPAddress> addresses, Provider? provider, List<DoctorCheck> checks, CancellationToken ct)
    {
        var options = setting.Security switch
        {
            SocketSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            SocketSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        using var socket = await HostResolver.ConnectAsync(addresses, setting.Port, Options.ConnectTimeout, ct).ConfigureAwait(false);
        using MailService client = setting.Protocol == MailProtocol.Pop3 ? new Pop3Client() : new ImapClient();
        client.Timeout = (int)Options.ReplyTimeout.TotalMilliseconds;
        client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
            certificate is not null && CertificateCheck.Check(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2 ?? new(certificate), chain, errors, setting.Host, Options).IsValid;
        try
        {
            await client.ConnectAsync(socket, setting.Host, setting.Port, options, ct).ConfigureAwait(false);
            await client.AuthenticateAsync(setting.Username, request.Password!, ct).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            checks.Add(new DoctorCheck("login", CheckStatus.Fail, $"the server refused {setting.Username}: {e.Message}", LoginFix(setting, provider, e.Message)));
            return;
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException or CommandException or SslHandshakeException)
        {
            checks.Add(new DoctorCheck("login", CheckStatus.Fail, e.Message, "the connection failed during login; run doctor again without --password-stdin to see which step fails"));
            return;
        }
        checks.Add(new DoctorCheck("login", CheckStatus.Pass, $"logged in as {setting.Username}"));
        try
        {
            if (client is ImapClient imap)
            {
                if ((imap.Capabilities & ImapCapabilities.Id) != 0)
                {
                    // RFC 2971; NetEase (163/126/yeah.net) refuses SELECT without it ("Unsafe Login").
                    var id = await imap.IdentifyAsync(new ImapImplementation { Name = "Letterbox doctor" }, ct).ConfigureAwait(false);
                    checks.Add(new DoctorCheck("ID", CheckStatus.Pass, id?.Name is { } name ? $"server is {name}" : "server answered ID"));
                }
                var inbox = imap.Inbox;
                await inbox.OpenAsync(FolderAccess.ReadOnly, ct).ConfigureAwait(false);
                checks.Add(new DoctorCheck("SELECT INBOX", CheckStatus.Pass, $"{inbox.Count} message(s)"));
            }
            else if (client is Pop3Client pop3)
            {
                checks.Add(new DoctorCheck("STAT", CheckStatus.Pass, $"{pop3.Count} message(s)"));
            }
            await client.DisconnectAsync(true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CommandException or ProtocolException or IOException)
        {
            var unsafeLogin = e.Message.Contains("Unsafe Login", StringComparison.OrdinalIgnoreCase);
            checks.Add(new DoctorCheck(setting.Protocol == MailProtocol.Pop3 ? "STAT" : "SELECT INBOX", CheckStatus.Fail, e.Message,
                unsafeLogin ? "the server requires the IMAP ID command before SELECT (NetEase 163/126/yeah.net): use a client that sends ID (Thunderbird, Apple Mail, MailKit)" : Explain(e.Message)));
        }
    }

    private static string LoginFix(ServerSetting setting, Provider? provider, string serverText)
    {
        var fixes = new List<string>();
        if (!setting.Username.Contains('@', StringComparison.Ordinal) && (provider is null || provider.Username == "%EMAILADDRESS%"))
        {
            fixes.Add($"username must be the full address (e.g. {setting.Username}@{(provider?.Domains.FirstOrDefault() ?? "example.com")})");
        }
        if (provider is not null)
        {
            if (provider.Notes.Any(n => n.Contains("authorisation code", StringComparison.OrdinalIgnoreCase)))
            {
                fixes.Add($"{provider.Domains.FirstOrDefault() ?? provider.Name} needs the client authorisation code, not the web password");
            }
            else if (provider.Notes.Any(n => n.Contains("app password", StringComparison.OrdinalIgnoreCase) || n.Contains("app-specific", StringComparison.OrdinalIgnoreCase)))
            {
                fixes.Add($"{provider.Name} needs an app password, not the normal password");
            }
            else if (provider.Notes.Any(n => n.Contains("OAuth2", StringComparison.Ordinal) && n.Contains("only", StringComparison.OrdinalIgnoreCase)))
            {
                fixes.Add($"{provider.Name} accepts only OAuth2 sign-in; a password cannot work");
            }
        }
        if (Explain(serverText) is { } explained)
        {
            fixes.Add(explained);
        }
        if (fixes.Count == 0)
        {
            fixes.Add("check the password (and whether IMAP/POP access must be enabled in the provider's web settings)");
        }
        return string.Join("; ", fixes);
    }

    private static string? Explain(string serverText) => ErrorCodeTable.Default.Explain(serverText) is { } code ? $"{code.Code}: {code.Meaning} {code.Fix}" : null;
}
