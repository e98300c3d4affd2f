using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Letterbox.Store.Ingest;

namespace Letterbox.Store.Embedded;

/// <summary>A blob written and flushed under its content address, with what ingest computed from it.</summary>
internal sealed record StagedBlob(string BlobId, long Size, IngestedMessage Ingested);

/// <summary>
/// The content-addressed blob files of one account: <c>blobs/&lt;2 hex&gt;/&lt;64 hex sha256&gt;</c>.
/// DESIGN rule 3: a blob is written to a temp file, renamed to its address (only where no file is)
/// and the file and its directory flushed before any metadata refers to it (those flushes grouped
/// with the other blobs staged at the same moment, <see cref="BlobFlusher"/>); a crash leaves at most an orphan.
/// Blobs being staged are "pending" and never deleted by expunge or sweep until released.
/// </summary>
internal sealed class BlobStore
{
    public const string TempPrefix = ".tmp-";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _activeTemp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _flushing = new(StringComparer.Ordinal);
    // Blobs this store flushed itself (bounded): a file found under one of these addresses is durable.
    // Any other file there may be one a crash left unflushed, or another process's not yet flushed
    // (the flusher renames before it flushes): staging the same content replaces it (BlobFlusher.FlushGroup).
    private readonly HashSet<string> _flushed = new(StringComparer.Ordinal);
    // The blobs/xx directories known to exist: one stat per message saved (Letterbox never removes them).
    private readonly HashSet<string> _subdirectories = new(StringComparer.Ordinal);
    private readonly BlobFlusher _flusher;

    public BlobStore(string directory, BlobFlusher? flusher = null)
    {
        Directory = directory;
        _flusher = flusher ?? BlobFlusher.Shared;
        if (!System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.CreateDirectory(directory);
            FlushDirectory(Path.GetDirectoryName(directory)!);
        }
    }

    public string Directory { get; }

    public string PathOf(string blobId) => Path.Combine(Directory, blobId[..2], blobId);

    public static bool IsBlobId(string name) =>
        name.Length == 64 && name.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>
    /// Messages up to this size are kept in memory while they are written, and analysed from there
    /// instead of being read back from the file; larger ones are analysed from their file.
    /// </summary>
    public const int InMemoryAnalysisLimit = 1024 * 1024;

    /// <summary>
    /// Streams <paramref name="content"/> to a temp file (hashing, enforcing <paramref name="maxSize"/>),
    /// hands it to the <see cref="BlobFlusher"/> (rename to its content address, file and directory flush,
    /// grouped with the other blobs staged at the same moment), analyses it meanwhile, and returns once
    /// it is durable under its address. The blob stays pending (protected from deletion) until <see cref="Release"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream content, long maxSize, CancellationToken ct)
    {
        var tempName = TempPrefix + Guid.NewGuid().ToString("N");
        var tempPath = Path.Combine(Directory, tempName);
        lock (_lock)
        {
            _activeTemp.Add(tempName);
        }
        // Set once this staging holds a pending count on the blob: released when it fails after that.
        string? protectedId = null;
        // Set once the flush renamed the temp file to its address: nothing is left to delete.
        var renamed = false;
        var held = new HeldBytes();
        try
        {
            string blobId;
            long size;
            IngestedMessage ingested;
            // Synchronous and unbuffered: each write goes straight to the page cache, with no thread-pool
            // hop per write (on Unix, async file I/O is a blocking call on a pool thread anyway).
            using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0))
            {
                (blobId, size) = await CopyAsync(content, file, held, maxSize, ct).ConfigureAwait(false);

                var finalPath = PathOf(blobId);
                EnsureSubdirectory(blobId[..2]);
                Task durable;
                var flushing = false;
                lock (_lock)
                {
                    _pending[blobId] = _pending.GetValueOrDefault(blobId) + 1;
                    protectedId = blobId;
                    if (_flushing.TryGetValue(blobId, out var inFlight))
                    {
                        // The same content is being made durable by another staging right now: so is this one, when it is.
                        durable = inFlight;
                    }
                    else if (_flushed.Contains(blobId) && File.Exists(finalPath))
                    {
                        // This store flushed that file and its directory entry: the temp copy is dropped.
                        durable = Task.CompletedTask;
                    }
                    else
                    {
                        // DESIGN rule 3: the bytes are on disk under their address before anything refers to them.
                        durable = _flusher.FlushAsync(file.SafeFileHandle, tempPath, finalPath);
                        _flushing[blobId] = durable;
                        flushing = true;
                    }
                }
                try
                {
                    // Analysis overlaps the flush; the temp file stays open until the flush is done with it.
                    ingested = held.Complete ? MessageIngest.Analyze(held.Bytes) : MessageIngest.Analyze(file);
                }
                finally
                {
                    await AwaitFlushAsync(durable, flushing, blobId).ConfigureAwait(false);
                    renamed = flushing;
                }
            }
            var staged = new StagedBlob(blobId, size, ingested);
            protectedId = null;
            return staged;
        }
        catch (IOException ex)
        {
            throw new MailStoreException(MailStoreError.Unavailable, "The message could not be written to disk: " + ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new MailStoreException(MailStoreError.Unavailable, "The message could not be written to disk: " + ex.Message);
        }
        finally
        {
            if (protectedId is not null)
            {
                // Failed after the content was known: no longer protected, left to the sweep.
                Release(protectedId);
            }
            if (!renamed)
            {
                TryDelete(tempPath);
            }
            lock (_lock)
            {
                _activeTemp.Remove(tempName);
            }
            held.Dispose();
        }
    }

    /// <summary>Creates <c>blobs/&lt;prefix&gt;</c> (and flushes its creation) unless it is known to exist.</summary>
    private void EnsureSubdirectory(string prefix)
    {
        lock (_lock)
        {
            if (_subdirectories.Contains(prefix))
            {
                return;
            }
        }
        var path = Path.Combine(Directory, prefix);
        if (!System.IO.Directory.Exists(path))
        {
            System.IO.Directory.CreateDirectory(path);
            FlushDirectory(Directory);
        }
        lock (_lock)
        {
            _subdirectories.Add(prefix);
        }
    }

    /// <summary>
    /// Copies <paramref name="content"/> into <paramref name="file"/>, hashing it and enforcing
    /// <paramref name="maxSize"/> as it streams; keeps the bytes in <paramref name="held"/> while they fit.
    /// Returns the content address (hex SHA-256) and the size.
    /// </summary>
    private static async Task<(string BlobId, long Size)> CopyAsync(Stream content, FileStream file, HeldBytes held, long maxSize, CancellationToken ct)
    {
        long size = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (true)
        {
            var target = held.NextBuffer();
            var read = await content.ReadAsync(target, ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            size += read;
            if (size > maxSize)
            {
                throw new MailStoreException(MailStoreError.TooBig, $"Message is larger than {maxSize} octets.");
            }
            var chunk = target.Span[..read];
            hash.AppendData(chunk);
            file.Write(chunk);
            held.Advance(read);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>
    /// A message's bytes in pooled memory while it is written, up to <see cref="InMemoryAnalysisLimit"/>;
    /// past that the buffer is only scratch space for the copy and the analysis reads the file.
    /// </summary>
    private sealed class HeldBytes : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _length;

        /// <summary>Whether every byte of the message is held.</summary>
        public bool Complete { get; private set; } = true;

        public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, _length);

        /// <summary>Where the next read goes: after the held bytes (grown while under the limit), or the whole scratch buffer.</summary>
        public Memory<byte> NextBuffer()
        {
            if (Complete && _length == _buffer.Length)
            {
                if (_buffer.Length >= InMemoryAnalysisLimit)
                {
                    Complete = false;
                }
                else
                {
                    var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                    _buffer.AsSpan(0, _length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = larger;
                }
            }
            return Complete ? _buffer.AsMemory(_length) : _buffer.AsMemory();
        }

        public void Advance(int count)
        {
            if (Complete)
            {
                _length += count;
            }
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Waits for the flush that makes a staged blob durable. The staging that asked for it removes it
    /// from the in-flight set and, once it succeeded, remembers it as flushed. A failed flush leaves
    /// whatever it renamed under the address in place: no staging trusts a file this store did not
    /// flush (the next one of the same content replaces it), and removing it could remove a durable
    /// file the flush had replaced and older messages refer to.
    /// </summary>
    private async Task AwaitFlushAsync(Task durable, bool flushing, string blobId)
    {
        if (!flushing)
        {
            await durable.ConfigureAwait(false);
            return;
        }
        try
        {
            await durable.ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                _flushing.Remove(blobId);
                _flushed.Remove(blobId);
            }
            throw;
        }
        lock (_lock)
        {
            _flushing.Remove(blobId);
            if (_flushed.Count >= MaxRememberedFlushes)
            {
                _flushed.Clear();
            }
            _flushed.Add(blobId);
        }
    }

    /// <summary>How many flushed blobs a store remembers (a forgotten one is flushed again when staged again).</summary>
    private const int MaxRememberedFlushes = 4096;

    /// <summary>Ends the protection of a staged blob (after its metadata committed or failed).</summary>
    public void Release(string blobId)
    {
        lock (_lock)
        {
            if (_pending.TryGetValue(blobId, out var count))
            {
                if (count <= 1)
                {
                    _pending.Remove(blobId);
                }
                else
                {
                    _pending[blobId] = count - 1;
                }
            }
        }
    }

    /// <summary>
    /// Deletes a blob file that no committed row refers to any more, unless an append is staging
    /// the same content right now. Call only after the commit that removed the last reference.
    /// </summary>
    public bool DeleteIfUnused(string blobId)
    {
        lock (_lock)
        {
            if (_pending.ContainsKey(blobId))
            {
                return false;
            }
            _flushed.Remove(blobId);
            return TryDelete(PathOf(blobId));
        }
    }

    /// <summary>
    /// Lists files that are not referenced blobs: leftover temp files and blob files not in
    /// <paramref name="isReferenced"/>. Pending blobs and temp files in use are skipped.
    /// With <paramref name="remove"/>, deletes them (under the lock, so no append races).
    /// </summary>
    /// <remarks>
    /// Files younger than <paramref name="grace"/> are left alone: another process on this data
    /// directory (<c>letterbox deliver</c>, the server) may be between writing a blob and committing
    /// the row that references it, and this process cannot see its in-flight sets.
    /// </remarks>
    public List<string> SweepOrphans(Func<string, bool> isReferenced, bool remove, TimeSpan grace)
    {
        var orphans = new List<string>();
        var settled = DateTime.UtcNow - grace;
        lock (_lock)
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(path);
                if (grace > TimeSpan.Zero && File.GetLastWriteTimeUtc(path) > settled)
                {
                    continue;
                }
                var orphan = name.StartsWith(TempPrefix, StringComparison.Ordinal)
                    ? !_activeTemp.Contains(name)
                    : !isReferenced(name) && !_pending.ContainsKey(name);
                if (orphan)
                {
                    orphans.Add(Path.GetRelativePath(Directory, path));
                    if (remove)
                    {
                        _flushed.Remove(name);
                        TryDelete(path);
                    }
                }
            }
        }
        return orphans;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>fsync of a directory, so a rename or a new entry survives a crash (POSIX only).</summary>
    internal static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush directory {path} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code enabled
    // in the project, and these three calls take only ints and one UTF-8 path.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
