namespace Letterbox.Smtp.Authentication;

/// <summary>
/// A forward-only read of a stream with some byte ranges left out (forged Authentication-Results
/// fields), so the message is stored without them and without copying it. The ranges must be sorted
/// and not overlap; the inner stream starts at position 0.
/// </summary>
internal sealed class ExcisedStream(Stream inner, IReadOnlyList<ByteRange> cuts) : Stream
{
    private long _position;
    private int _nextCut;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        SkipCuts();
        var n = inner.Read(buffer[..Allowed(buffer.Length)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        SkipCuts();
        var n = await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>At the start of a cut, seek past it.</summary>
    private void SkipCuts()
    {
        while (_nextCut < cuts.Count && cuts[_nextCut].Offset <= _position)
        {
            var end = cuts[_nextCut].Offset + cuts[_nextCut].Length;
            if (end > _position)
            {
                inner.Seek(end - _position, SeekOrigin.Current);
                _position = end;
            }
            _nextCut++;
        }
    }

    /// <summary>Reads stop at the next cut.</summary>
    private int Allowed(int wanted) =>
        _nextCut < cuts.Count ? (int)Math.Min(wanted, cuts[_nextCut].Offset - _position) : wanted;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
