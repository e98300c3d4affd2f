using System.Buffers;

namespace Letterbox.Net;

/// <summary>What <see cref="LineFramer.TryFrame"/> found.</summary>
public enum LineStatus
{
    /// <summary>A complete line was taken from the buffer.</summary>
    Line,
    /// <summary>No complete line yet: read more (an incomplete line consumes nothing, unless it is already too long and being discarded).</summary>
    NeedMore,
    /// <summary>A line longer than the limit ended and was discarded whole; answer with an error and carry on.</summary>
    TooLong,
}

/// <summary>
/// Cuts command lines out of the bytes received so far (POP3 RFC 1939 §3, SMTP RFC 5321 §2.3.8: lines end in CRLF; a bare LF
/// is accepted too, as Dovecot does). A line longer than the limit is drained, not stored, so a
/// client cannot make the server buffer more than <c>maxLineLength</c> octets, and the session
/// stays in step with the client. Pure: no I/O.
/// </summary>
public sealed class LineFramer(int maxLineLength)
{
    private bool _discarding;

    public int MaxLineLength { get; } = maxLineLength > 0 ? maxLineLength : throw new ArgumentOutOfRangeException(nameof(maxLineLength));

    /// <summary>
    /// Takes one line from the front of <paramref name="buffer"/> (advancing it past what was consumed)
    /// and returns it without its line ending.
    /// </summary>
    public LineStatus TryFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
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
            return LineStatus.NeedMore;
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
            return LineStatus.TooLong;
        }
        line = content;
        return LineStatus.Line;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> content)
    {
        var last = content.Slice(content.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
