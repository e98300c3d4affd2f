using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Makes new blob files durable in groups (DESIGN rule 3: "group many deliveries into one disk
/// flush when they arrive together"). Every blob staged while a group is being flushed joins the
/// next group; one dedicated thread then, for the whole group: starts the write-back of every file
/// at once (<c>sync_file_range</c>, so the device sees them together), renames each to its content
/// address, and fsyncs the files and each distinct directory side by side (on dedicated threads;
/// see <see cref="FlushGroup"/> for why renaming first is safe). Only then is any waiter of
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

    // A plain monitor, not SemaphoreSlim/BlockingCollection: those spin (sched_yield) before they
    // block, and on a busy two-core machine the flusher's spinning took ~6 % of the CPU of an LMTP
    // run from the sessions it was flushing for. A group waits on the disk anyway.
    private readonly object _lock = new();
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
        lock (_lock)
        {
            _pending.Add(request);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "letterbox blob flush" };
                _thread.Start();
            }
            else if (_pending.Count == 1)
            {
                Monitor.Pulse(_lock);
            }
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
                while (_pending.Count == 0)
                {
                    Monitor.Wait(_lock);
                }
                var take = Math.Min(MaxGroup, _pending.Count);
                group.AddRange(_pending.GetRange(0, take));
                _pending.RemoveRange(0, take);
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
    /// The flush step of one group. A blob whose address is free is renamed to it first (the name
    /// appears only where no file was, <c>RENAME_NOREPLACE</c>), and then its data and its directory
    /// are flushed side by side: one disk round trip for both instead of one after the other. Nothing
    /// refers to the address until the step returns, so a crash in between leaves at most an
    /// unreferenced file (an orphan for the sweep), and the <see cref="BlobStore"/> never takes a file
    /// it did not flush itself for durable. A blob whose address is taken (by a file left by a crash,
    /// or another process staging the same content right now) is flushed first and then replaces it,
    /// so that name never points at unflushed bytes another message may already refer to.
    /// <paramref name="forEach"/> runs the fsyncs of a step side by side (default: one after the other).
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
        var renamed = new List<FlushRequest>(group.Count);
        var replacing = new List<FlushRequest>();
        foreach (var request in group)
        {
            (RenameNoReplace(request.TempPath, request.FinalPath) ? renamed : replacing).Add(request);
        }
        if (replacing.Count > 0)
        {
            forEach(replacing.Count, i => RandomAccess.FlushToDisk(replacing[i].File));
            foreach (var request in replacing)
            {
                File.Move(request.TempPath, request.FinalPath, overwrite: true);
            }
        }
        var directories = new List<string>(group.Count);
        foreach (var request in group)
        {
            var directory = Path.GetDirectoryName(request.FinalPath)!;
            if (!directories.Contains(directory, StringComparer.Ordinal))
            {
                directories.Add(directory);
            }
        }
        forEach(renamed.Count + directories.Count, i =>
        {
            if (i < renamed.Count)
            {
                RandomAccess.FlushToDisk(renamed[i].File);
            }
            else
            {
                BlobStore.FlushDirectory(directories[i - renamed.Count]);
            }
        });
    }

    /// <summary>
    /// <c>renameat2(RENAME_NOREPLACE)</c>: renames <paramref name="from"/> to <paramref name="to"/>
    /// unless a file is there. False when one is, or where the call or flag is not supported (not
    /// Linux, or a file system without it): the caller then takes the flush-first way.
    /// </summary>
    private static bool RenameNoReplace(string from, string to)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        if (RenameAt2(AtFdCwd, from, AtFdCwd, to, RenameNoReplaceFlag) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno is EExist or EInval or ENoSys or ENotSup)
        {
            return false;
        }
        throw new IOException($"Cannot rename {from} to {to} (errno {errno}).");
    }

    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1; // RENAME_NOREPLACE
    private const int EExist = 17;
    private const int EInval = 22;
    private const int ENoSys = 38;
    private const int ENotSup = 95;

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int RenameAt2(int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);

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

    /// <summary>
    /// Dedicated threads for blocking fsyncs (never the thread pool's). Work is handed over and waited
    /// for with a monitor, which blocks without spinning (as the flusher's own wait).
    /// </summary>
    private sealed class FlushWorkers
    {
        private readonly Queue<Action> _work = new();

        public FlushWorkers(int count)
        {
            for (var i = 0; i < count; i++)
            {
                new Thread(Work) { IsBackground = true, Name = "letterbox blob fsync" }.Start();
            }
        }

        private void Work()
        {
            while (true)
            {
                Action work;
                lock (_work)
                {
                    while (_work.Count == 0)
                    {
                        Monitor.Wait(_work);
                    }
                    work = _work.Dequeue();
                }
                work();
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
            var batch = new Batch(count);
            lock (_work)
            {
                for (var i = 1; i < count; i++)
                {
                    var index = i;
                    _work.Enqueue(() => batch.Run(action, index));
                }
                Monitor.PulseAll(_work);
            }
            batch.Run(action, 0);
            batch.Wait();
        }

        /// <summary>The items of one <see cref="ForEach"/>: how many are still running, and the first failure.</summary>
        private sealed class Batch(int remaining)
        {
            private readonly object _gate = new();
            private int _remaining = remaining;
            private Exception? _failure;

            public void Run(Action<int> action, int index)
            {
                try
                {
                    action(index);
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref _failure, ex, null);
                }
                lock (_gate)
                {
                    if (--_remaining == 0)
                    {
                        Monitor.Pulse(_gate);
                    }
                }
            }

            public void Wait()
            {
                lock (_gate)
                {
                    while (_remaining > 0)
                    {
                        Monitor.Wait(_gate);
                    }
                }
                if (_failure is not null)
                {
                    ExceptionDispatchInfo.Throw(_failure);
                }
            }
        }
    }
}
