using System.Buffers;

namespace Letterbox.Pop3.Protocol;

/// <summary>What <see cref="Pop3LineFramer.TryFrame"/> found.</summary>
public enum FrameStatus
{
    /// <summary>A complete line was taken from the buffer.</summary>
    Line,
    /// <summary>No complete line yet: read more (an incomplete line consumes nothing, unless it is already too long and being discarded).</summary>
    NeedMore,
    /// <summary>A line longer than the limit ended and was discarded whole; answer -ERR and carry on.</summary>
    TooLong,
}

/// <summary>
/// Cuts command lines out of the bytes received so far (RFC 1939 §3: lines end in CRLF; a bare LF
/// is accepted too, as Dovecot does). A line longer than the limit is drained, not stored, so a
/// client cannot make the server buffer more than <c>maxLineLength</c> octets, and the session
/// stays in step with the client. Pure: no I/O.
/// </summary>
public sealed class Pop3LineFramer(int maxLineLength)
{
    private bool _discarding;

    public int MaxLineLength { get; } = maxLineLength > 0 ? maxLineLength : throw new ArgumentOutOfRangeException(nameof(maxLineLength));

    /// <summary>
    /// Takes one line from the front of <paramref name="buffer"/> (advancing it past what was consumed)
    /// and returns it without its line ending.
    /// </summary>
    public FrameStatus TryFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        line = default;
        var lf = buffer.PositionOf((byte)'\n');
        if (lf is null)
        {
            // One more octet than the limit may be a CR waiting for its LF.
            if (_discarding || buffer.Length > MaxLineLength + 1)
            {
                _discarding = true;
                buffer = buffer.Slice(buffer.End);
            }
            return FrameStatus.NeedMore;
        }
        var content = buffer.Slice(0, lf.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));
        if (content.Length > 0 && EndsWithCr(content))
        {
            content = content.Slice(0, content.Length - 1);
        }
        if (_discarding || content.Length > MaxLineLength)
        {
            _discarding = false;
            return FrameStatus.TooLong;
        }
        line = content;
        return FrameStatus.Line;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> content)
    {
        var last = content.Slice(content.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
