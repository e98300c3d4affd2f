using System.Buffers;
using System.IO.Pipelines;

namespace Letterbox.Net;

/// <summary>
/// Reads command lines for the line-oriented protocols (POP3, SMTP, LMTP) from a connection.
/// Output is flushed only when no complete line is already waiting, so pipelined commands get
/// their answers in one write (RFC 2449 §6.6, RFC 2920 §3). Read <c>connection.Input</c> afresh
/// each time: it changes after STARTTLS / STLS.
/// </summary>
public sealed class CommandLineReader(int maxLineLength)
{
    private LineFramer _framer = new(maxLineLength);
    private bool _mustWait;

    public int MaxLineLength => _framer.MaxLineLength;

    /// <summary>
    /// Starts afresh: after STARTTLS/STLS nothing said before the handshake carries over
    /// (RFC 3207 §4.2, RFC 2595 §3.1), and after a DATA body the next read starts at a line.
    /// </summary>
    public void Reset()
    {
        _framer = new LineFramer(_framer.MaxLineLength);
        _mustWait = false;
    }

    /// <summary>
    /// The next line without its line end, or <see cref="LineStatus.TooLong"/>, or
    /// <see cref="LineStatus.NeedMore"/> when the client has closed the connection.
    /// <paramref name="beforeWait"/> runs before the reader waits for the client (arm the idle timer there).
    /// </summary>
    public async Task<(LineStatus Status, byte[] Line)> ReadAsync(ClientConnection connection, Action beforeWait, CancellationToken ct)
    {
        while (true)
        {
            var input = connection.Input;
            ReadResult result;
            if (_mustWait || !input.TryRead(out result))
            {
                beforeWait();
                await connection.Output.FlushAsync(ct).ConfigureAwait(false);
                result = await input.ReadAsync(ct).ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            var status = _framer.TryFrame(ref buffer, out var line);
            if (status == LineStatus.NeedMore)
            {
                if (result.IsCompleted)
                {
                    input.AdvanceTo(buffer.End);
                    return (LineStatus.NeedMore, []);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                _mustWait = true;
                continue;
            }
            _mustWait = false;
            var bytes = line.ToArray();
            input.AdvanceTo(buffer.Start);
            return (status, bytes);
        }
    }
}
