using Letterbox.Imap.Protocol;

namespace Letterbox.Imap.Session;

/// <summary>
/// An APPEND message larger than <see cref="ImapSession.SpoolThreshold"/>, spooled to a temporary
/// file as it arrives so it never sits whole in memory. The file is deleted on dispose.
/// </summary>
internal sealed class SpooledMessageLiteral : MessageLiteral
{
    private readonly string _path;
    private FileStream? _writer;
    private long _length;

    public SpooledMessageLiteral(string directory)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "append-" + Guid.NewGuid().ToString("N") + ".tmp");
        _writer = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
    }

    public override long Length => _length;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> octets, CancellationToken ct)
    {
        await _writer!.WriteAsync(octets, ct).ConfigureAwait(false);
        _length += octets.Length;
    }

    /// <summary>Closes the file for writing once every octet has arrived.</summary>
    public async ValueTask CompleteAsync()
    {
        if (_writer is { } w)
        {
            _writer = null;
            await w.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override Stream OpenRead() => new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);

    public override void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Best effort: the temp directory is cleaned by the OS; nothing is lost.
        }
    }
}
