using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Makes new blob files durable in groups (DESIGN rule 3: "group many deliveries into one disk
/// flush when they arrive together"). Every blob staged while a group is being flushed joins the
/// next group; one dedicated thread then, for the whole group: starts the write-back of every file
/// at once (<c>sync_file_range</c>, so the device sees them together), fsyncs the files side by side
/// (on dedicated threads), renames each to its content address, and fsyncs each distinct directory once. Only then is any waiter of
/// the group completed; if any step fails, every waiter of the group fails (none of them is known
/// to be durable, and a 451 makes the sender retry — a duplicate, never a loss).
/// </summary>
/// <remarks>
/// The callers await instead of blocking a thread-pool thread in fsync, and the grouping works across
/// accounts, which SQLite's group commit cannot (one database per account, DESIGN rule 8).
/// </remarks>
internal sealed class BlobFlusher
{
    /// <summary>Most blobs flushed in one group.</summary>
    public const int MaxGroup = 128;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly List<FlushRequest> _pending = [];
    private readonly Action<IReadOnlyList<FlushRequest>> _flushGroup;
    private Thread? _thread;
    private long _groups;

    /// <summary>The flusher every embedded store in the process shares, so concurrent deliveries to different accounts share a group.</summary>
    public static BlobFlusher Shared { get; } = new();

    public BlobFlusher()
    {
        var workers = new FlushWorkers(Workers);
        _flushGroup = group => FlushGroup(group, workers.ForEach);
    }

    /// <summary>Threads that run the fsyncs of one group side by side (a device serves them together; one after the other, each would wait its full latency).</summary>
    public const int Workers = 8;

    /// <summary>A flusher running <paramref name="flushGroup"/> for each group (tests put a gate or a fault here).</summary>
    internal BlobFlusher(Action<IReadOnlyList<FlushRequest>> flushGroup)
    {
        _flushGroup = flushGroup;
    }

    /// <summary>Groups flushed so far.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>
    /// Queues a written temp file: completes once its data is flushed, it is renamed to
    /// <paramref name="finalPath"/> and that directory entry is flushed. The handle must stay open until then.
    /// </summary>
    public Task FlushAsync(SafeFileHandle file, string tempPath, string finalPath)
    {
        var request = new FlushRequest(file, tempPath, finalPath);
        bool wake;
        lock (_lock)
        {
            _pending.Add(request);
            wake = _pending.Count == 1;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "letterbox blob flush" };
                _thread.Start();
            }
        }
        if (wake)
        {
            _signal.Release();
        }
        return request.Completion.Task;
    }

    private void Run()
    {
        var group = new List<FlushRequest>(MaxGroup);
        while (true)
        {
            lock (_lock)
            {
                var take = Math.Min(MaxGroup, _pending.Count);
                group.AddRange(_pending.GetRange(0, take));
                _pending.RemoveRange(0, take);
            }
            if (group.Count == 0)
            {
                _signal.Wait();
                continue;
            }
            Exception? failure = null;
            try
            {
                _flushGroup(group);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            Interlocked.Increment(ref _groups);
            foreach (var request in group)
            {
                if (failure is null)
                {
                    request.Completion.TrySetResult();
                }
                else
                {
                    request.Completion.TrySetException(failure);
                }
            }
            group.Clear();
        }
    }

    /// <summary>
    /// The flush step of one group: the data of every file, then the renames, then each directory
    /// once. <paramref name="forEach"/> runs the fsyncs of a step side by side (default: one after the other).
    /// </summary>
    internal static void FlushGroup(IReadOnlyList<FlushRequest> group, Action<int, Action<int>>? forEach = null)
    {
        forEach ??= static (count, action) =>
        {
            for (var i = 0; i < count; i++)
            {
                action(i);
            }
        };
        if (group.Count > 1 && OperatingSystem.IsLinux())
        {
            foreach (var request in group)
            {
                // A hint only (the fsync below is what counts): start every file's write-back now.
                _ = SyncFileRange(request.File, 0, 0, SyncFileRangeWrite);
            }
        }
        forEach(group.Count, i => RandomAccess.FlushToDisk(group[i].File));
        var directories = new List<string>(group.Count);
        foreach (var request in group)
        {
            File.Move(request.TempPath, request.FinalPath, overwrite: true);
            var directory = Path.GetDirectoryName(request.FinalPath)!;
            if (!directories.Contains(directory, StringComparer.Ordinal))
            {
                directories.Add(directory);
            }
        }
        forEach(directories.Count, i => BlobStore.FlushDirectory(directories[i]));
    }

    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);

    /// <summary>One blob of a group: its open temp file and where it goes.</summary>
    internal sealed class FlushRequest(SafeFileHandle file, string tempPath, string finalPath)
    {
        public SafeFileHandle File { get; } = file;

        public string TempPath { get; } = tempPath;

        public string FinalPath { get; } = finalPath;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Dedicated threads for blocking fsyncs (never the thread pool's).</summary>
    private sealed class FlushWorkers
    {
        private readonly BlockingCollection<Action> _work = [];

        public FlushWorkers(int count)
        {
            for (var i = 0; i < count; i++)
            {
                new Thread(() =>
                {
                    foreach (var work in _work.GetConsumingEnumerable())
                    {
                        work();
                    }
                }) { IsBackground = true, Name = "letterbox blob fsync" }.Start();
            }
        }

        /// <summary>Runs <paramref name="action"/> for 0..count-1 side by side, the first on the calling thread; rethrows the first failure once all are done.</summary>
        public void ForEach(int count, Action<int> action)
        {
            if (count <= 1)
            {
                if (count == 1)
                {
                    action(0);
                }
                return;
            }
            Exception? failure = null;
            using var done = new CountdownEvent(count - 1);
            for (var i = 1; i < count; i++)
            {
                var index = i;
                _work.Add(() =>
                {
                    try
                    {
                        action(index);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref failure, ex, null);
                    }
                    finally
                    {
                        done.Signal();
                    }
                });
            }
            try
            {
                action(0);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
            done.Wait();
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
    }
}
