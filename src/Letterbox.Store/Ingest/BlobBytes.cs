using Microsoft.Win32.SafeHandles;

namespace Letterbox.Store.Ingest;

/// <summary>
/// Byte-level scans over a stored message file (header end, line counts) with a bounded
/// buffer, so offsets are exact whatever MimeKit makes of the content.
/// </summary>
internal sealed class BlobBytes(SafeFileHandle file, long length)
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    public long Length { get; } = length;

    /// <summary>
    /// The offset just past the blank line that ends the header block starting at <paramref name="start"/>
    /// (RFC 5322 §2.1); <paramref name="limit"/> when there is no blank line (all header, no body).
    /// </summary>
    public long FindHeaderEnd(long start, long limit)
    {
        var atLineStart = true;
        var pendingCr = false;
        for (var position = start; position < limit;)
        {
            var count = RandomAccess.Read(file, _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, limit - position)), position);
            if (count <= 0)
            {
                break;
            }
            for (var i = 0; i < count; i++)
            {
                var b = _buffer[i];
                if (pendingCr)
                {
                    pendingCr = false;
                    if (b == (byte)'\n')
                    {
                        return position + i + 1;
                    }
                    atLineStart = false;
                }
                if (b == (byte)'\n')
                {
                    if (atLineStart)
                    {
                        return position + i + 1;
                    }
                    atLineStart = true;
                }
                else if (b == (byte)'\r' && atLineStart)
                {
                    pendingCr = true;
                }
                else
                {
                    atLineStart = false;
                }
            }
            position += count;
        }
        return limit;
    }

    /// <summary>Lines in a range: line feeds, plus one for a last line without one (IMAP body-fld-lines).</summary>
    public long CountLines(long start, long length)
    {
        long lines = 0;
        var last = (byte)'\n';
        var end = start + length;
        for (var position = start; position < end;)
        {
            var count = RandomAccess.Read(file, _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, end - position)), position);
            if (count <= 0)
            {
                break;
            }
            lines += _buffer.AsSpan(0, count).Count((byte)'\n');
            last = _buffer[count - 1];
            position += count;
        }
        return last == (byte)'\n' ? lines : lines + 1;
    }
}
