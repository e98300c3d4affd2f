using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Letterbox.Bench;

/// <summary>
/// One client connection over a raw socket and System.IO.Pipelines: line reads, literal skipping
/// and writes straight into the pipe, so the load generator spends little CPU per byte and is
/// never the bottleneck (no client library, no per-response parsing beyond what a scenario needs).
/// </summary>
internal sealed class Wire : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;

    private Wire(Socket socket, int bufferSize)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: bufferSize, minimumReadSize: Math.Min(bufferSize, 16384) / 2));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: Math.Min(bufferSize, 16384)));
    }

    /// <summary>Payload bytes skipped in literals (FETCH BODY[]) and RETR bodies since the last reset.</summary>
    public long BodyBytes { get; set; }

    /// <summary>Connects; <c>bufferSize</c> is the read buffer: large for bulk transfers, small for the many idle sessions.</summary>
    public static async Task<Wire> ConnectAsync(IPEndPoint endPoint, CancellationToken ct = default, int bufferSize = 65536)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new Wire(socket, bufferSize);
    }

    public ValueTask<FlushResult> SendAsync(string text)
    {
        var span = _writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var n = Encoding.UTF8.GetBytes(text, span);
        _writer.Advance(n);
        return _writer.FlushAsync();
    }

    public ValueTask<FlushResult> SendAsync(ReadOnlyMemory<byte> bytes) => _writer.WriteAsync(bytes);

    /// <summary>Buffers text without flushing (for a command and its literal in one write).</summary>
    public void Buffer(string text)
    {
        var span = _writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public void Buffer(ReadOnlySpan<byte> bytes) => _writer.Write(bytes);

    public ValueTask<FlushResult> FlushAsync() => _writer.FlushAsync();

    /// <summary>Reads one line (without CRLF) as ASCII/UTF-8 text; throws at end of stream.</summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken ct = default)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var position = buffer.PositionOf((byte)'\n');
            if (position is not null)
            {
                var lineBytes = buffer.Slice(0, position.Value);
                var line = Encoding.UTF8.GetString(lineBytes.IsSingleSegment ? lineBytes.FirstSpan : lineBytes.ToArray());
                _reader.AdvanceTo(buffer.GetPosition(1, position.Value));
                return line.EndsWith('\r') ? line[..^1] : line;
            }
            if (result.IsCompleted)
            {
                throw new IOException("connection closed by the server");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Consumes <paramref name="count"/> bytes without copying them.</summary>
    public async ValueTask SkipAsync(long count, CancellationToken ct = default)
    {
        while (count > 0)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var take = Math.Min(count, result.Buffer.Length);
            _reader.AdvanceTo(result.Buffer.GetPosition(take));
            count -= take;
            BodyBytes += take;
            if (count > 0 && result.IsCompleted)
            {
                throw new IOException("connection closed inside a literal");
            }
        }
    }

    /// <summary>
    /// Consumes a POP3 multi-line body up to the terminating ".\r\n" (RFC 1939 §3), counting its
    /// bytes; scans the buffer for "\r\n.\r\n" rather than reading line by line.
    /// </summary>
    public async ValueTask SkipDotTerminatedAsync(CancellationToken ct = default)
    {
        var atStart = true; // the body may be empty: ".\r\n" right after the status line
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (atStart && buffer.Length >= 3)
            {
                atStart = false;
                if (IsEmptyBody(buffer))
                {
                    _reader.AdvanceTo(buffer.GetPosition(3));
                    return;
                }
            }
            if (TryFindEnd(buffer, out var endPosition, out var bodyLength))
            {
                BodyBytes += bodyLength;
                _reader.AdvanceTo(endPosition);
                return;
            }
            if (result.IsCompleted)
            {
                throw new IOException("connection closed inside a POP3 body");
            }
            // Keep the last 4 bytes: the terminator may straddle two reads.
            var keep = Math.Min(4, buffer.Length);
            BodyBytes += buffer.Length - keep;
            _reader.AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
        }
    }

    private static bool IsEmptyBody(ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[3];
        buffer.Slice(0, 3).CopyTo(head);
        return head.SequenceEqual(".\r\n"u8);
    }

    private static bool TryFindEnd(ReadOnlySequence<byte> buffer, out SequencePosition end, out long bodyLength)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out ReadOnlySequence<byte> body, "\r\n.\r\n"u8, advancePastDelimiter: true))
        {
            end = reader.Position;
            bodyLength = body.Length + 2;
            return true;
        }
        end = default;
        bodyLength = 0;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
