using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Letterbox.Tests.Discovery;

/// <summary>A request the test web server saw.</summary>
public sealed record WebRequest(string Method, string Host, string PathAndQuery, string Body);

/// <summary>
/// A minimal HTTP/1.1 server (one request per connection) on a loopback address and a real port
/// (443 with a certificate, 80 without), answering from a routing function.
/// </summary>
public sealed class TestWebServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly Func<WebRequest, (int Status, string Body)> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TestWebServer(string address, int port, X509Certificate2? certificate, Func<WebRequest, (int Status, string Body)> route)
    {
        _certificate = certificate;
        _route = route;
        _listener = new TcpListener(IPAddress.Parse(address), port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _loop = AcceptAsync();
    }

    public System.Collections.Concurrent.ConcurrentQueue<WebRequest> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: true);
            Stream stream = network;
            if (_certificate is not null)
            {
                var tls = new SslStream(network, leaveInnerStreamOpen: true);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                stream = tls;
            }
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16384)
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0)
                {
                    return;
                }
                head.Append((char)one[0]);
            }
            var lines = head.ToString().Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
            var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var body = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = await stream.ReadAsync(body.AsMemory(read), _stop.Token);
                if (n == 0)
                {
                    return;
                }
                read += n;
            }
            var request = new WebRequest(requestLine[0], headers.GetValueOrDefault("Host", "").Split(':')[0], requestLine[1], Encoding.UTF8.GetString(body));
            Requests.Enqueue(request);
            var (status, content) = _route(request);
            var bytes = Encoding.UTF8.GetBytes(content);
            var response = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
            await stream.WriteAsync(bytes, _stop.Token);
            await stream.FlushAsync(_stop.Token);
            if (stream is SslStream secured)
            {
                await secured.ShutdownAsync();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client refused our certificate or went away: what certificate tests provoke.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
