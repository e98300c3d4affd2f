using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Settings.Documents;

namespace Letterbox.Settings.Http;

/// <summary>
/// The routes of the settings web site. Pure request → response apart from asking whether a domain is
/// hosted. The answer never depends on whether an address exists (no user enumeration: no user is ever
/// looked up), and a domain this server does not host gets 404 whatever the path.
/// </summary>
public sealed class SettingsSite
{
    public const string AutoconfigPath = "/mail/config-v1.1.xml";
    public const string WellKnownAutoconfigPath = "/.well-known/autoconfig/mail/config-v1.1.xml";
    public const string AutodiscoverXmlPath = "/autodiscover/autodiscover.xml";
    public const string AutodiscoverJsonPath = "/autodiscover/autodiscover.json";
    public const string AppleProfilePath = "/apple/mail.mobileconfig";

    private static readonly string[] HostPrefixes = ["autoconfig.", "autodiscover.", "mta-sts.", "ua-auto-config."];

    private readonly Func<MailServerSettings> _settings;
    private readonly Func<string, CancellationToken, Task<bool>> _isHostedDomain;
    private readonly ClientSettingsOptions _options;
    private readonly Func<int?> _httpsPort;

    /// <param name="settings">The current settings (read per request: listeners bound to port 0 learn their port late).</param>
    /// <param name="isHostedDomain">Whether a domain (lower-case A-label) is one this server hosts.</param>
    /// <param name="options">MTA-STS mode and max_age.</param>
    /// <param name="httpsPort">The bound HTTPS port, for URLs that point back here; null when there is no https listener.</param>
    public SettingsSite(Func<MailServerSettings> settings, Func<string, CancellationToken, Task<bool>> isHostedDomain, ClientSettingsOptions options, Func<int?> httpsPort)
    {
        _settings = settings;
        _isHostedDomain = isHostedDomain;
        _options = options;
        _httpsPort = httpsPort;
    }

    public async Task<HttpResponse> AnswerAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.TrimEnd('/');
        // Outlook and other clients vary the case of "Autodiscover/Autodiscover.xml"; every path is matched ignoring case.
        if (Is(path, AutoconfigPath) || Is(path, WellKnownAutoconfigPath))
        {
            return await AutoconfigAsync(request, ct).ConfigureAwait(false);
        }
        if (Is(path, AutodiscoverXmlPath))
        {
            return await AutodiscoverXmlAsync(request, ct).ConfigureAwait(false);
        }
        if (Is(path, AutodiscoverJsonPath) || path.StartsWith(AutodiscoverJsonPath + "/", StringComparison.OrdinalIgnoreCase))
        {
            return await AutodiscoverJsonAsync(request, path, ct).ConfigureAwait(false);
        }
        if (Is(path, AppleProfilePath))
        {
            return await AppleProfileAsync(request, ct).ConfigureAwait(false);
        }
        if (Is(path, PaccDocument.Path))
        {
            var domain = await HostedDomainFromHostAsync(request.Host, ct).ConfigureAwait(false);
            return domain is null || request.Method == "POST" ? HttpResponse.NotFound() : HttpResponse.Text(200, PaccDocument.ContentType, PaccDocument.Write(_settings()));
        }
        if (Is(path, MtaStsPolicy.Path))
        {
            return await MtaStsAsync(request, ct).ConfigureAwait(false);
        }
        return HttpResponse.NotFound();
    }

    private async Task<HttpResponse> AutoconfigAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.Method == "POST")
        {
            return HttpResponse.Text(405, "text/plain; charset=utf-8", "use GET\n");
        }
        // Thunderbird adds ?emailaddress=; when present its domain decides, else the Host header does
        // (autoconfig.<domain> or <domain>, draft-ietf-mailmaint-autoconfig §4).
        string? domain;
        var address = request.QueryValue("emailaddress");
        if (!string.IsNullOrEmpty(address))
        {
            domain = await HostedDomainOfAddressAsync(address, ct).ConfigureAwait(false);
        }
        else
        {
            domain = await HostedDomainFromHostAsync(request.Host, ct).ConfigureAwait(false);
        }
        return domain is null ? HttpResponse.NotFound() : HttpResponse.Text(200, AutoconfigDocument.ContentType, AutoconfigDocument.Write(_settings(), domain));
    }

    private async Task<HttpResponse> AutodiscoverXmlAsync(HttpRequest request, CancellationToken ct)
    {
        string? address;
        string schema = AutodiscoverDocument.ResponseSchema;
        if (request.Method == "POST")
        {
            var parsed = AutodiscoverRequest.Parse(request.Body, out var error);
            if (parsed is null)
            {
                return HttpResponse.Text(400, AutodiscoverDocument.ContentType, AutodiscoverDocument.WriteError(600, "Invalid Request: " + error));
            }
            address = parsed.EmailAddress;
            schema = parsed.AcceptableResponseSchema;
        }
        else
        {
            address = request.QueryValue("email") ?? request.QueryValue("emailaddress");
            if (string.IsNullOrEmpty(address))
            {
                return HttpResponse.Text(400, AutodiscoverDocument.ContentType, AutodiscoverDocument.WriteError(600, "Invalid Request: no email address"));
            }
        }
        if (!EmailAddress.TryParse(address, out var parsedAddress, out _) || !await _isHostedDomain(parsedAddress!.Domain, ct).ConfigureAwait(false))
        {
            return HttpResponse.NotFound();
        }
        if (!string.Equals(schema, AutodiscoverDocument.ResponseSchema, StringComparison.OrdinalIgnoreCase))
        {
            // [MS-OXDSCLI] §2.2.4.2.1.1: 601, the provider (e.g. mobilesync for ActiveSync) is not available.
            return HttpResponse.Text(200, AutodiscoverDocument.ContentType, AutodiscoverDocument.WriteError(601, "Provider is not available"));
        }
        return HttpResponse.Text(200, AutodiscoverDocument.ContentType, AutodiscoverDocument.Write(_settings(), parsedAddress.ToString()));
    }

    private async Task<HttpResponse> AutodiscoverJsonAsync(HttpRequest request, string path, CancellationToken ct)
    {
        // Two forms: /autodiscover/autodiscover.json?Email=a@b&Protocol=P and /autodiscover/autodiscover.json/v1.0/a@b?Protocol=P.
        var address = request.QueryValue("email");
        var rest = path.Length > AutodiscoverJsonPath.Length ? path[(AutodiscoverJsonPath.Length + 1)..] : "";
        if (rest.StartsWith("v1.0/", StringComparison.OrdinalIgnoreCase))
        {
            address = rest["v1.0/".Length..];
        }
        var protocol = request.QueryValue("protocol");
        if (string.IsNullOrEmpty(address) || string.IsNullOrEmpty(protocol))
        {
            return HttpResponse.Text(400, AutodiscoverJson.ContentType, AutodiscoverJson.WriteError("InvalidRequest", "Email and Protocol are required"));
        }
        if (!EmailAddress.TryParse(address, out var parsed, out _) || !await _isHostedDomain(parsed!.Domain, ct).ConfigureAwait(false))
        {
            return HttpResponse.NotFound();
        }
        if (!AutodiscoverJson.KnownProtocols.Contains(protocol, StringComparer.OrdinalIgnoreCase))
        {
            return HttpResponse.Text(400, AutodiscoverJson.ContentType, AutodiscoverJson.WriteError("InvalidProtocol",
                $"The given protocol value '{protocol}' is invalid. Supported values are '{string.Join(',', AutodiscoverJson.KnownProtocols)}'"));
        }
        if (!protocol.Equals(AutodiscoverJson.AutodiscoverV1, StringComparison.OrdinalIgnoreCase))
        {
            return HttpResponse.Text(404, AutodiscoverJson.ContentType, AutodiscoverJson.WriteError("ProtocolNotSupported",
                $"This server does not provide '{protocol}'; it serves IMAP and POP3, described by the AutodiscoverV1 endpoint"));
        }
        var port = _httpsPort();
        var authority = _settings().HostName + (port is null or 443 ? "" : ":" + port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return HttpResponse.Text(200, AutodiscoverJson.ContentType, AutodiscoverJson.WriteRedirect($"https://{authority}{AutodiscoverXmlPath}"));
    }

    private async Task<HttpResponse> AppleProfileAsync(HttpRequest request, CancellationToken ct)
    {
        var address = request.QueryValue("email") ?? request.QueryValue("emailaddress");
        if (request.Method == "POST" || string.IsNullOrEmpty(address)
            || !EmailAddress.TryParse(address, out var parsed, out _) || !await _isHostedDomain(parsed!.Domain, ct).ConfigureAwait(false))
        {
            return HttpResponse.NotFound();
        }
        var profile = AppleMailProfile.Write(_settings(), parsed.ToString());
        return profile is null ? HttpResponse.NotFound() : HttpResponse.Text(200, AppleMailProfile.ContentType, profile);
    }

    private async Task<HttpResponse> MtaStsAsync(HttpRequest request, CancellationToken ct)
    {
        // RFC 8461 §3.3: the policy lives only at https://mta-sts.<domain>/.well-known/mta-sts.txt.
        if (request.Method == "POST" || request.Host is null || !request.Host.StartsWith("mta-sts.", StringComparison.Ordinal)
            || string.Equals(_options.MtaStsMode, "none", StringComparison.OrdinalIgnoreCase)
            || await HostedDomainFromHostAsync(request.Host, ct).ConfigureAwait(false) is null)
        {
            return HttpResponse.NotFound();
        }
        return HttpResponse.Text(200, MtaStsPolicy.ContentType, MtaStsPolicy.Write(_settings().HostName, _options.MtaStsMode, _options.MtaStsMaxAgeSeconds));
    }

    private async Task<string?> HostedDomainOfAddressAsync(string address, CancellationToken ct)
        => EmailAddress.TryParse(address, out var parsed, out _) && await _isHostedDomain(parsed!.Domain, ct).ConfigureAwait(false) ? parsed.Domain : null;

    private async Task<string?> HostedDomainFromHostAsync(string? host, CancellationToken ct)
    {
        if (host is null)
        {
            return null;
        }
        var candidate = host;
        foreach (var prefix in HostPrefixes)
        {
            if (candidate.StartsWith(prefix, StringComparison.Ordinal))
            {
                candidate = candidate[prefix.Length..];
                break;
            }
        }
        if (!HostName.TryParse(candidate, requireFullyQualified: false, out var name, out _))
        {
            return null;
        }
        return await _isHostedDomain(name.Value, ct).ConfigureAwait(false) ? name.Value : null;
    }

    private static bool Is(string path, string route) => string.Equals(path, route, StringComparison.OrdinalIgnoreCase);
}
