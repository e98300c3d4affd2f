using System.Buffers;

namespace Letterbox.Pop3.Protocol;

/// <summary>
/// Turns stored message bytes, fed in chunks of any size, into a POP3 multi-line body (RFC 1939 §3):
/// every line ends in CRLF (a bare LF becomes CRLF), a line starting with "." gets a second ".",
/// and <see cref="Complete"/> ends it with ".CRLF". For TOP (RFC 1939 §7) it stops after the header,
/// the blank line and the first <c>n</c> body lines. It keeps only a few flags between chunks, so a
/// message of any size streams through a fixed buffer. Pure: no I/O.
/// </summary>
public sealed class DotStuffer
{
    private readonly int? _bodyLines;
    private bool _atLineStart = true;
    private bool _pendingCr;
    private bool _inBody;
    private int _bodyLinesWritten;

    /// <param name="bodyLines">Null for the whole message (RETR); n for TOP: the header and n body lines.</param>
    public DotStuffer(int? bodyLines = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLines ?? 0);
        _bodyLines = bodyLines;
    }

    /// <summary>True once TOP has written all it needs; further input is ignored.</summary>
    public bool IsDone { get; private set; }

    /// <summary>Writes one chunk. Returns false when nothing more is wanted (TOP reached its line count).</summary>
    public bool Write(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        while (!data.IsEmpty && !IsDone)
        {
            var lf = data.IndexOf((byte)'\n');
            if (lf < 0)
            {
                TakePendingCr(output);
                if (data[^1] == (byte)'\r')
                {
                    // Maybe the first half of a CRLF split across chunks: decide with the next byte.
                    _pendingCr = true;
                    data = data[..^1];
                }
                Content(data, output);
                return true;
            }
            if (lf > 0)
            {
                TakePendingCr(output);
            }
            // A CR pending at lf == 0 was the first half of this line's CRLF: dropped.
            _pendingCr = false;
            var line = data[..lf];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            Content(line, output);
            EndLine(output);
            data = data[(lf + 1)..];
        }
        return !IsDone;
    }

    /// <summary>Ends a last line that had no line ending and writes the terminating ".CRLF".</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // A CR as the very last byte is a line ending without its LF.
        _pendingCr = false;
        if (!_atLineStart)
        {
            output.Write("\r\n"u8);
            _atLineStart = true;
        }
        Pop3Reply.End(output);
    }

    private void TakePendingCr(IBufferWriter<byte> output)
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            Content("\r"u8, output);
        }
    }

    private void Content(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        if (_atLineStart && bytes[0] == (byte)'.')
        {
            output.Write("."u8);
        }
        output.Write(bytes);
        _atLineStart = false;
    }

    private void EndLine(IBufferWriter<byte> output)
    {
        var wasEmpty = _atLineStart;
        output.Write("\r\n"u8);
        _atLineStart = true;
        if (!_inBody)
        {
            // RFC 5322 §2.1: the first empty line ends the header section.
            _inBody = wasEmpty;
            IsDone = _inBody && _bodyLines == 0;
            return;
        }
        _bodyLinesWritten++;
        IsDone = _bodyLinesWritten >= _bodyLines;
    }
}
