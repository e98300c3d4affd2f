using System.Net;

namespace Letterbox.Net;

internal static class Endpoints
{
    /// <summary>
    /// What a Unix socket peer is reported as: it has no IP address, and only a process on this machine
    /// can connect, so it counts as loopback (plaintext policy) and appears as 127.0.0.1 in logs and Received.
    /// </summary>
    public static readonly IPEndPoint UnixPeer = new(IPAddress.Loopback, 0);

    /// <summary>Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; limits and logs want a.b.c.d.</summary>
    public static IPEndPoint Normalize(IPEndPoint endpoint)
        => endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
