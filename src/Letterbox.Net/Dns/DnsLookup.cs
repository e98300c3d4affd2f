using System.Globalization;
using System.Net;
using DnsClient;
using Letterbox.Core.Options;

namespace Letterbox.Net.Dns;

/// <summary>
/// The one place a DNS client is made from <see cref="DnsOptions"/>, so SPF/DKIM/DMARC, discover and
/// doctor all ask the same resolvers with the same timeouts.
/// </summary>
public static class DnsLookup
{
    /// <summary>A lookup client for the configured resolvers, or the machine's when none are configured.</summary>
    public static ILookupClient Create(DnsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var servers = options.Servers.Select(ParseServer).ToArray();
        var lookup = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookup.Timeout = TimeSpan.FromMilliseconds(Math.Max(1, options.TimeoutMs));
        lookup.Retries = Math.Max(0, options.Attempts - 1);
        // Answers are used as given: a SERVFAIL is a result (SPF temperror), not an exception.
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        lookup.UseTcpFallback = true;
        lookup.UseCache = true;
        return new LookupClient(lookup);
    }

    /// <summary>Parses "ip", "ip:port" or "[v6]:port" (port 53 when absent).</summary>
    public static IPEndPoint ParseServer(string server)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        var text = server.Trim();
        // IPEndPoint first: IPAddress.Parse accepts "[::1]:5353" and drops the port.
        if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port > 0)
        {
            return endPoint;
        }
        if (!text.EndsWith(":0", StringComparison.Ordinal) && IPAddress.TryParse(text, out var bare))
        {
            return new IPEndPoint(bare, 53);
        }
        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Dns:Servers: \"{server}\" is not an IP address or ip:port."));
    }
}
