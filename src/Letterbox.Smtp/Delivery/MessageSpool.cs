using System.Buffers;

namespace Letterbox.Smtp.Delivery;

/// <summary>
/// Where DATA gathers one message between the socket and the store. A message up to
/// <see cref="InMemoryLimit"/> octets stays in one pooled buffer; a larger one spills to a spool file
/// (opened on demand, deleted on close), so memory per session stays bounded whatever the size.
/// Most deliveries are small: for them this saves creating, writing, reading back and deleting a
/// file per message (the store writes and flushes its own copy anyway).
/// </summary>
/// <remarks>
/// Written once from the start (appends only), then read from any position. When the spill file
/// cannot be opened or written (disk full), <see cref="Failed"/> is set and later writes are dropped,
/// so the session can drain the rest of the data and answer 451 instead of losing its place.
/// </remarks>
internal sealed class MessageSpool(Func<FileStream> openFile) : Stream
{
    /// <summary>Largest message kept in memory.</summary>
    public const int InMemoryLimit = 64 * 1024;

    private byte[]? _buffer;
    private int _length;
    private FileStream? _file;
    private long _position;

    /// <summary>Whether spilling to the file failed: the content is incomplete and must not be delivered.</summary>
    public bool Failed { get; private set; }

    /// <summary>Whether the content went to a file.</summary>
    public bool Spilled => _file is not null;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _file?.Length ?? _length;

    public override long Position
    {
        get => _file?.Position ?? _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (_file is not null)
            {
                _file.Position = value;
            }
            else
            {
                _position = value;
            }
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Failed || buffer.IsEmpty)
        {
            return;
        }
        try
        {
            if (_file is null && _length + buffer.Length <= InMemoryLimit)
            {
                Reserve(_length + buffer.Length);
                buffer.CopyTo(_buffer.AsSpan(_length));
                _length += buffer.Length;
                return;
            }
            if (_file is null)
            {
                _file = openFile();
                _file.Write(_buffer.AsSpan(0, _length));
                Release();
            }
            _file.Write(buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed = true;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_file is not null)
        {
            return _file.Read(buffer);
        }
        var available = (int)Math.Max(0, Math.Min(buffer.Length, _length - _position));
        _buffer.AsSpan((int)_position, available).CopyTo(buffer);
        _position += available;
        return available;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _file is not null ? _file.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };
        return Position;
    }

    public override void Flush() => _file?.Flush();

    public override void SetLength(long value) => throw new NotSupportedException("A spool only grows by writing.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
            _file = null;
            Release();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
        Release();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Reserve(int size)
    {
        if (_buffer is not null && _buffer.Length >= size)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(InMemoryLimit, Math.Max(size, (_buffer?.Length ?? 8 * 1024) * 2)));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = larger;
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
