using System.Net;
using System.Net.Sockets;

namespace Letterbox.Hosting;

/// <summary>Turns a configured listener address ("*", "localhost", an IP) into an endpoint.</summary>
public static class ListenerAddress
{
    public static IPEndPoint Resolve(string name, string address, int port)
    {
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"Listeners:{name}:Port {port} is not a TCP port (0-65535)");
        }
        if (address is "*" or "")
        {
            return new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port);
        }
        if (string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        if (IPAddress.TryParse(address, out var ip))
        {
            return new IPEndPoint(ip, port);
        }
        throw new ConfigurationException($"Listeners:{name}:Address '{address}' is not an IP address, '*' or 'localhost'");
    }
}
