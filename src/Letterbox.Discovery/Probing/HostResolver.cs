using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Letterbox.Discovery.Probing;

/// <summary>Host name → addresses through the configured DNS (so tests and split-horizon set-ups see their own zones).</summary>
public sealed class HostResolver(ILookupClient dns)
{
    /// <summary>The DNS client used for every lookup.</summary>
    public ILookupClient Dns { get; } = dns;

    /// <summary>IPv4 then IPv6 addresses of <paramref name="host"/>, following CNAMEs; empty when none.</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }
        var result = new List<IPAddress>();
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            var response = await Dns.QueryAsync(host, type, QueryClass.IN, ct).ConfigureAwait(false);
            if (response.HasError)
            {
                continue;
            }
            result.AddRange(response.Answers.OfType<ARecord>().Select(a => a.Address));
            result.AddRange(response.Answers.OfType<AaaaRecord>().Select(a => a.Address));
        }
        return result;
    }

    /// <summary>Connects to the first address that accepts, within <paramref name="timeout"/> per address.</summary>
    internal static async Task<Socket> ConnectAsync(IReadOnlyList<IPAddress> addresses, int port, TimeSpan timeout, CancellationToken ct)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), limit.Token).ConfigureAwait(false);
                return socket;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                last = new SocketException((int)SocketError.TimedOut);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
