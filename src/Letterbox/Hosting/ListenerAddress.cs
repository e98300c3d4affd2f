using System.Net;
using System.Net.Sockets;
using Letterbox.Core.Options;
using Letterbox.Net;

namespace Letterbox.Hosting;

/// <summary>Turns a configured listener address ("*", "localhost", an IP, or a Unix socket Path) into an endpoint.</summary>
public static class ListenerAddress
{
    /// <summary>
    /// The binding for a configured listener: its Unix socket when <see cref="ListenerOptions.Path"/> is
    /// set (relative to <paramref name="dataDirectory"/>, with <see cref="ListenerOptions.SocketMode"/>),
    /// else its Address and Port.
    /// </summary>
    public static ListenerBinding Binding(string name, ListenerOptions listener, string dataDirectory)
    {
        var implicitTls = listener.Security == ListenerSecurity.ImplicitTls;
        if (string.IsNullOrWhiteSpace(listener.Path))
        {
            return new ListenerBinding(name, Resolve(name, listener.Address, listener.Port), implicitTls);
        }
        if (!Socket.OSSupportsUnixDomainSockets)
        {
            throw new ConfigurationException($"Listeners:{name}:Path: this system has no Unix domain sockets; use Address and Port");
        }
        var mode = UnixSocketFile.ParseMode(listener.SocketMode)
            ?? throw new ConfigurationException($"Listeners:{name}:SocketMode '{listener.SocketMode}' is not an octal permission mode such as 0660");
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, listener.Path));
        if (System.Text.Encoding.UTF8.GetByteCount(path) > UnixSocketFile.MaxPathBytes)
        {
            throw new ConfigurationException($"Listeners:{name}:Path '{path}' is longer than {UnixSocketFile.MaxPathBytes} bytes, the limit for a Unix socket; choose a shorter one");
        }
        return new ListenerBinding(name, new UnixDomainSocketEndPoint(path), implicitTls) { SocketMode = mode };
    }

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
