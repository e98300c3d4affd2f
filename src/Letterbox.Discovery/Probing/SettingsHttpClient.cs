using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Letterbox.Discovery.Probing;

/// <summary>The outcome of one HTTP(S) request for a settings document.</summary>
public sealed record SettingsFetch(string Url, int? Status, string? Body, string? Error, CertificateReport? Certificate);

/// <summary>
/// Fetches autoconfig and Autodiscover documents. Names resolve through Letterbox's DNS client;
/// certificates are validated (system roots plus the configured extra roots) and their problems
/// reported; nothing is ever accepted blindly.
/// </summary>
public sealed class SettingsHttpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly DiscoveryOptions _options;
    // Connections are made apart from the request's async flow, so the verdict is kept by host name.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CertificateReport> _certificates = new(StringComparer.OrdinalIgnoreCase);

    public SettingsHttpClient(HostResolver resolver, DiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 3,
            UseProxy = false,
            ConnectTimeout = options.Probe.ConnectTimeout,
            ConnectCallback = async (context, ct) =>
            {
                var addresses = await resolver.ResolveAsync(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
                if (addresses.Count == 0)
                {
                    throw new HttpRequestException($"{context.DnsEndPoint.Host} has no A or AAAA record");
                }
                var port = options.HttpPortOverrides.GetValueOrDefault(context.DnsEndPoint.Port, context.DnsEndPoint.Port);
                var socket = await HostResolver.ConnectAsync(addresses, port, options.Probe.ConnectTimeout, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }
                    var host = sender is SslStream { TargetHostName: { Length: > 0 } name } ? name : "";
                    var report = CertificateCheck.Check(certificate as X509Certificate2 ?? new X509Certificate2(certificate), chain, errors, host, options.Probe);
                    _certificates[host] = report;
                    return report.IsValid;
                },
            },
        };
        _http = new HttpClient(handler) { Timeout = options.HttpTimeout };
    }

    /// <summary>GET <paramref name="url"/>.</summary>
    public Task<SettingsFetch> GetAsync(string url, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), ct);

    /// <summary>POST <paramref name="xml"/> (text/xml) to <paramref name="url"/>.</summary>
    public Task<SettingsFetch> PostXmlAsync(string url, string xml, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") }, ct);

    private async Task<SettingsFetch> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var url = request.RequestUri!.ToString();
        var host = request.RequestUri.Host;
        _certificates.TryRemove(host, out _);
        try
        {
            using (request)
            using (var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    return new SettingsFetch(url, (int)response.StatusCode, null, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null);
                }
                if (response.Content.Headers.ContentLength > _options.MaxDocumentBytes)
                {
                    return new SettingsFetch(url, (int)response.StatusCode, null, $"document larger than {_options.MaxDocumentBytes} bytes", null);
                }
                await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                var buffer = new byte[_options.MaxDocumentBytes + 1];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }
                if (total > _options.MaxDocumentBytes)
                {
                    return new SettingsFetch(url, (int)response.StatusCode, null, $"document larger than {_options.MaxDocumentBytes} bytes", null);
                }
                return new SettingsFetch(url, (int)response.StatusCode, Encoding.UTF8.GetString(buffer, 0, total), null, null);
            }
        }
        catch (HttpRequestException e)
        {
            var certificate = _certificates.GetValueOrDefault(host);
            if (certificate is { IsValid: false })
            {
                return new SettingsFetch(url, null, null, string.Join("; ", certificate.Problems), certificate);
            }
            return new SettingsFetch(url, null, null, Describe(e), null);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SettingsFetch(url, null, null, $"no answer in {_options.HttpTimeout.TotalSeconds:0.###} s", null);
        }
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException s => s.SocketErrorCode.ToString(),
        { } inner => inner.Message,
        _ => e.Message,
    };

    public void Dispose() => _http.Dispose();
}
