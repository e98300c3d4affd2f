using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Letterbox.Store.Ingest;

namespace Letterbox.Store.Embedded;

/// <summary>A blob written and flushed under its content address, with what ingest computed from it.</summary>
internal sealed record StagedBlob(string BlobId, long Size, IngestedMessage Ingested);

/// <summary>
/// The content-addressed blob files of one account: <c>blobs/&lt;2 hex&gt;/&lt;64 hex sha256&gt;</c>.
/// DESIGN rule 3: a blob is written to a temp file, flushed, renamed to its address and the
/// directory flushed before any metadata refers to it; a crash leaves at most an orphan.
/// Blobs being staged are "pending" and never deleted by expunge or sweep until released.
/// </summary>
internal sealed class BlobStore
{
    public const string TempPrefix = ".tmp-";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _activeTemp = new(StringComparer.Ordinal);

    public BlobStore(string directory)
    {
        Directory = directory;
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
    /// Streams <paramref name="content"/> to a temp file (hashing, enforcing <paramref name="maxSize"/>),
    /// flushes it, analyses it, and moves it to its content address. The blob stays pending
    /// (protected from deletion) until <see cref="Release"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream content, long maxSize, CancellationToken ct)
    {
        var tempName = TempPrefix + Guid.NewGuid().ToString("N");
        var tempPath = Path.Combine(Directory, tempName);
        lock (_lock)
        {
            _activeTemp.Add(tempName);
        }
        string? blobId = null;
        try
        {
            long size;
            bool exists;
            IngestedMessage ingested;
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                size = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > maxSize)
                    {
                        throw new MailStoreException(MailStoreError.TooBig, $"Message is larger than {maxSize} octets.");
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
                await file.FlushAsync(ct).ConfigureAwait(false);
                blobId = Convert.ToHexStringLower(hash.GetHashAndReset());
                lock (_lock)
                {
                    _pending[blobId] = _pending.GetValueOrDefault(blobId) + 1;
                }
                // A file under the content address was flushed before it was renamed there, so
                // it is already durable: the temp copy needs no flush and is dropped.
                exists = File.Exists(PathOf(blobId));
                if (!exists)
                {
                    // DESIGN rule 3: the bytes are on disk before anything refers to them.
                    RandomAccess.FlushToDisk(file.SafeFileHandle);
                }
                ingested = MessageIngest.Analyze(file);
            }

            if (!exists)
            {
                var finalPath = PathOf(blobId);
                var subdirectory = Path.GetDirectoryName(finalPath)!;
                if (!System.IO.Directory.Exists(subdirectory))
                {
                    System.IO.Directory.CreateDirectory(subdirectory);
                    FlushDirectory(Directory);
                }
                File.Move(tempPath, finalPath, overwrite: true);
                FlushDirectory(subdirectory);
            }
            var staged = new StagedBlob(blobId, size, ingested);
            blobId = null;
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
            if (blobId is not null)
            {
                // Failed after the content was known: no longer protected, left to the sweep.
                Release(blobId);
            }
            TryDelete(tempPath);
            lock (_lock)
            {
                _activeTemp.Remove(tempName);
            }
        }
    }

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
