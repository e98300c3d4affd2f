using System.Buffers;

namespace Letterbox.Imap.Protocol;

/// <summary>What <see cref="CommandFramer.TryReadLine"/> found.</summary>
public enum FrameStatus
{
    /// <summary>A whole line was read; the buffer was advanced past its line ending.</summary>
    Complete,
    /// <summary>No line ending yet; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>
    /// No line ending within the limit (or the line found is longer than it); nothing was consumed.
    /// Drain with <see cref="CommandFramer.TrySkipLine"/> and answer BAD.
    /// </summary>
    LineTooLong,
    /// <summary>
    /// The line ends with a literal marker whose length does not fit number64 (RFC 9051 §9);
    /// the line was consumed (so the session stays in step) and must be answered BAD.
    /// </summary>
    InvalidLiteral,
}

/// <summary>
/// The literal announced at the end of a line: "{N}", "{N+}" (RFC 7888 non-synchronizing) or
/// "~{N}" (RFC 3516 literal8). <see cref="Present"/> is false when the line has none.
/// </summary>
/// <param name="Present">True when the line ends with a literal marker.</param>
/// <param name="Length">N, the number of octets that follow the line ending.</param>
/// <param name="Synchronizing">True for "{N}": the server must send "+ " before the client sends the octets.</param>
/// <param name="Binary">True for "~{N}" (literal8, may contain NUL).</param>
public readonly record struct LiteralHeader(bool Present, long Length, bool Synchronizing, bool Binary)
{
    public static readonly LiteralHeader None = default;
}

/// <summary>
/// Splits the client's byte stream into lines, resumably: it is fed whatever has arrived and
/// never consumes a partial line. RFC 9051 §2.2: a command is a line ending in CRLF, possibly
/// continued after each literal. A bare LF is accepted as a line ending too (some scripted
/// clients and "nc" send one; Dovecot accepts it as well); a CR before the LF is removed.
/// </summary>
public static class CommandFramer
{
    // Longest tail we inspect for a literal marker: "~{" + 19 digits + "+}" fits with room for leading zeros.
    private const int MarkerScanLength = 64;
    // number64 has at most 19 significant digits; allow a little zero padding, no more.
    private const int MaxMarkerDigits = 24;

    /// <summary>
    /// Reads the next line. On <see cref="FrameStatus.Complete"/>, <paramref name="line"/> is the line
    /// without its line ending (still including a trailing literal marker, which the parser reads)
    /// and <paramref name="buffer"/> starts after it; otherwise the buffer is left as it was
    /// (except for <see cref="FrameStatus.InvalidLiteral"/>, which consumes the line: answer BAD, and
    /// close the connection if the marker was non-synchronizing, as its octets cannot be skipped).
    /// </summary>
    /// <param name="buffer">The unread input; advanced past the line on success.</param>
    /// <param name="maxLineLength">The longest line accepted, without its line ending.</param>
    /// <param name="line">The line without CRLF (or LF), valid as long as the buffer is.</param>
    /// <param name="literal">The literal announced at the end of the line, if any.</param>
    public static FrameStatus TryReadLine(ref ReadOnlySequence<byte> buffer, int maxLineLength, out ReadOnlySequence<byte> line, out LiteralHeader literal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLineLength);
        literal = LiteralHeader.None;
        line = default;

        // Look no further than one line ending past the limit, so a flood is not rescanned forever.
        long window = Math.Min(buffer.Length, (long)maxLineLength + 2);
        long lfIndex;
        if (buffer.IsSingleSegment)
        {
            lfIndex = buffer.FirstSpan[..(int)window].IndexOf((byte)'\n');
        }
        else
        {
            var position = buffer.Slice(0, window).PositionOf((byte)'\n');
            lfIndex = position is { } p ? buffer.Slice(0, p).Length : -1;
        }

        if (lfIndex < 0)
        {
            return buffer.Length > (long)maxLineLength + 1 ? FrameStatus.LineTooLong : FrameStatus.NeedMoreData;
        }

        var content = buffer.Slice(0, lfIndex);
        if (content.Length > 0 && LastByte(content) == (byte)'\r')
        {
            content = content.Slice(0, content.Length - 1);
        }
        if (content.Length > maxLineLength)
        {
            return FrameStatus.LineTooLong;
        }

        var markerStatus = ReadLiteralMarker(content, out literal);
        buffer = buffer.Slice(lfIndex + 1);
        line = content;
        return markerStatus;
    }

    /// <summary>
    /// Drains input up to and including the next LF (after <see cref="FrameStatus.LineTooLong"/>).
    /// Returns true when the LF was found; false when everything was consumed and draining must
    /// continue with the next bytes.
    /// </summary>
    public static bool TrySkipLine(ref ReadOnlySequence<byte> buffer)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is { } p)
        {
            buffer = buffer.Slice(buffer.GetPosition(1, p));
            return true;
        }
        buffer = buffer.Slice(buffer.End);
        return false;
    }

    /// <summary>
    /// Takes a literal's octets once they have all arrived: true with <paramref name="octets"/> and the
    /// buffer advanced past them, or false with nothing consumed.
    /// </summary>
    public static bool TryReadLiteral(ref ReadOnlySequence<byte> buffer, long length, out ReadOnlySequence<byte> octets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (buffer.Length < length)
        {
            octets = default;
            return false;
        }
        octets = buffer.Slice(0, length);
        buffer = buffer.Slice(length);
        return true;
    }

    /// <summary>Reads a literal marker at the end of a single line (for callers holding a span).</summary>
    public static FrameStatus ReadLiteralMarker(ReadOnlySpan<byte> line, out LiteralHeader literal)
    {
        literal = LiteralHeader.None;
        int end = line.Length;
        if (end < 3 || line[end - 1] != (byte)'}')
        {
            return FrameStatus.Complete;
        }
        int i = end - 2;
        bool nonSync = false;
        if (line[i] == (byte)'+')
        {
            nonSync = true;
            i--;
        }
        int digitsEnd = i + 1;
        while (i >= 0 && line[i] >= (byte)'0' && line[i] <= (byte)'9')
        {
            i--;
        }
        int digitsStart = i + 1;
        if (digitsStart == digitsEnd || i < 0 || line[i] != (byte)'{')
        {
            // Not a literal marker ("}" is an ATOM-CHAR); the parser judges the line.
            return FrameStatus.Complete;
        }
        // RFC 3516 literal8 is "~{N}"; with LITERAL+ clients also send "~{N+}" (RFC 7888 §4 applies to both).
        bool binary = i > 0 && line[i - 1] == (byte)'~';
        if (digitsEnd - digitsStart > MaxMarkerDigits)
        {
            return FrameStatus.InvalidLiteral;
        }
        long length = 0;
        foreach (byte digit in line[digitsStart..digitsEnd])
        {
            int d = digit - '0';
            if (length > (long.MaxValue - d) / 10)
            {
                return FrameStatus.InvalidLiteral;
            }
            length = (length * 10) + d;
        }
        literal = new LiteralHeader(true, length, !nonSync, binary);
        return FrameStatus.Complete;
    }

    private static FrameStatus ReadLiteralMarker(in ReadOnlySequence<byte> line, out LiteralHeader literal)
    {
        if (line.IsSingleSegment)
        {
            return ReadLiteralMarker(line.FirstSpan, out literal);
        }
        int tailLength = (int)Math.Min(line.Length, MarkerScanLength);
        Span<byte> tail = stackalloc byte[tailLength];
        line.Slice(line.Length - tailLength).CopyTo(tail);
        var status = ReadLiteralMarker(tail, out literal);
        if (status == FrameStatus.Complete && !literal.Present && tailLength == MarkerScanLength && tail[^1] == (byte)'}')
        {
            // A marker longer than the scan window has more digits than number64 allows.
            int j = tailLength - 2;
            if (tail[j] == (byte)'+')
            {
                j--;
            }
            bool allDigits = true;
            for (; j >= 0; j--)
            {
                if (tail[j] < (byte)'0' || tail[j] > (byte)'9')
                {
                    allDigits = false;
                    break;
                }
            }
            if (allDigits)
            {
                return FrameStatus.InvalidLiteral;
            }
        }
        return status;
    }

    private static byte LastByte(in ReadOnlySequence<byte> sequence)
    {
        return sequence.Slice(sequence.Length - 1).FirstSpan[0];
    }
}
