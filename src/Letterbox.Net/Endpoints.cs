using System.Net;

namespace Letterbox.Net;

internal static class Endpoints
{
    /// <summary>Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; limits and logs want a.b.c.d.</summary>
    public static IPEndPoint Normalize(IPEndPoint endpoint)
        => endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
