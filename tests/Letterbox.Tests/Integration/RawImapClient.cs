using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Letterbox.Tests.Integration;

/// <summary>
/// A bare line-oriented client over a real socket, for tests that must send exactly the bytes
/// they choose (pipelined commands, injection after STARTTLS, oversized lines).
/// </summary>
public sealed class RawImapClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly List<byte> _pending = [];

    private RawImapClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawImapClient> ConnectAsync(IPEndPoint endPoint, bool implicitTls = false, string? caCertificate = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        var client = new RawImapClient(tcp);
        if (implicitTls)
        {
            await client.StartTlsAsync(caCertificate);
        }
        return client;
    }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one CRLF-terminated line (without CRLF); null at end of stream. Times out after 30 s.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }
            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer, timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }
            if (n == 0)
            {
                return null;
            }
            _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="tag"/> + space; returns all of them.</summary>
    public async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("connection closed before " + tag + "; got: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>TLS handshake as client, trusting only <paramref name="caCertificate"/> when given.</summary>
    public async Task<SslStream> StartTlsAsync(string? caCertificate = null, SslProtocols protocols = SslProtocols.None)
    {
        if (_pending.Count > 0)
        {
            throw new InvalidOperationException("unread plaintext before TLS: " + Encoding.UTF8.GetString([.. _pending]));
        }
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, cert, _, errors) =>
        {
            if (caCertificate is null)
            {
                return true;
            }
            using var ca = X509Certificate2.CreateFromPemFile(caCertificate, Path.ChangeExtension(caCertificate, ".key"));
            return cert is not null && new X509Certificate2(cert).Thumbprint == ca.Thumbprint;
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols });
        _stream = ssl;
        return ssl;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
