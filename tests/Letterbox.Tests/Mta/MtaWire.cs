using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Letterbox.Tests.Mta;

/// <summary>
/// A small SMTP/LMTP/IMAP line client over any stream socket — TCP or a Unix domain socket — that
/// sends exactly the bytes a test chooses and reads replies line by line (30 s limit per line).
/// </summary>
public sealed class MtaWire : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly List<byte> _pending = [];

    private MtaWire(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<MtaWire> ConnectAsync(EndPoint endPoint, CancellationToken ct = default)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new MtaWire(socket);
    }

    public static Task<MtaWire> ConnectUnixAsync(string path, CancellationToken ct = default) => ConnectAsync(new UnixDomainSocketEndPoint(path), ct);

    public async Task SendAsync(string text, CancellationToken ct = default)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>One CRLF-terminated line without the CRLF; null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString([.. _pending.Take(lf)]).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }
            var n = await _stream.ReadAsync(_buffer, timeout.Token);
            if (n == 0)
            {
                return null;
            }
            _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>One SMTP reply, all its lines ("250-..." up to "250 ...").</summary>
    public async Task<List<string>> ReadReplyAsync(CancellationToken ct = default)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(ct) ?? throw new IOException("connection closed after: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ')
            {
                return lines;
            }
        }
    }

    /// <summary>Sends one command and returns the last line of its reply.</summary>
    public async Task<string> CommandAsync(string line, CancellationToken ct = default)
    {
        await SendAsync(line + "\r\n", ct);
        return (await ReadReplyAsync(ct))[^1];
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
