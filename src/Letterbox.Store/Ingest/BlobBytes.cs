using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Letterbox.Store.Ingest;

/// <summary>
/// Byte-level scans over a stored message (header end, line counts), so offsets are exact whatever
/// MimeKit makes of the content. The message is either in memory (the common, small case: ingest
/// already holds its bytes) or in a file read with a bounded pooled buffer.
/// </summary>
internal sealed class BlobBytes : IDisposable
{
    private const int FileChunk = 64 * 1024;

    private readonly SafeFileHandle? _file;
    private readonly ReadOnlyMemory<byte> _memory;
    private byte[]? _buffer;

    public BlobBytes(SafeFileHandle file, long length)
    {
        _file = file;
        Length = length;
    }

    public BlobBytes(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        Length = memory.Length;
    }

    public long Length { get; }

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
            var chunk = Read(position, limit);
            if (chunk.IsEmpty)
            {
                break;
            }
            for (var i = 0; i < chunk.Length; i++)
            {
                var b = chunk[i];
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
            position += chunk.Length;
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
            var chunk = Read(position, end);
            if (chunk.IsEmpty)
            {
                break;
            }
            lines += chunk.Count((byte)'\n');
            last = chunk[^1];
            position += chunk.Length;
        }
        return last == (byte)'\n' ? lines : lines + 1;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Bytes from <paramref name="position"/> towards <paramref name="limit"/>: all of them in memory, a chunk from a file; empty at the end.</summary>
    private ReadOnlySpan<byte> Read(long position, long limit)
    {
        if (_file is null)
        {
            return position >= _memory.Length ? [] : _memory.Span[(int)position..(int)Math.Min(limit, _memory.Length)];
        }
        _buffer ??= ArrayPool<byte>.Shared.Rent(FileChunk);
        var count = RandomAccess.Read(_file, _buffer.AsSpan(0, (int)Math.Min(FileChunk, limit - position)), position);
        return count <= 0 ? [] : _buffer.AsSpan(0, count);
    }
}
