using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Letterbox.Hosting;

/// <summary>
/// Process-wide memory policy of <c>letterbox serve</c> (issue 6: 10,000 IDLE sessions in 200 MB).
/// Measured on the bench after loading 26,000 messages into 130 accounts, before any session:
/// SQLite held 192 MB of page caches (2 MB per connection by default, kept by each account's writer
/// and by every pooled read connection, which the pool never closes while the account is open),
/// and the managed heap had 118 MB committed for 31 MB alive, because an idle server allocates
/// too little to ever trigger the full collection that would give the rest back.
/// </summary>
public static partial class ProcessMemory
{
    /// <summary>
    /// SQLite's soft heap limit for the whole process. Past it, each connection's page cache reuses
    /// its own least-recently-used pages instead of growing, so the caches of many accounts share
    /// this budget instead of taking 2 MB each. Pages not cached are read again from the OS page
    /// cache (a pread, not a disk read, for a database in use).
    /// </summary>
    public const long SqliteSoftHeapLimitBytes = 32L * 1024 * 1024;

    /// <summary>Sets <see cref="SqliteSoftHeapLimitBytes"/> (the pragma is process-wide, any connection sets it).</summary>
    public static void LimitSqliteCaches(long bytes = SqliteSoftHeapLimitBytes)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA soft_heap_limit=" + bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Gives memory back to the operating system: <paramref name="releaseIdle"/> first (the server's
    /// store closes unused accounts and the idle SQLite read connections), then a compacting full
    /// collection that decommits the free managed heap (<see cref="GCCollectionMode.Aggressive"/>),
    /// then, with glibc, malloc_trim so the native allocator returns its free pages (the closed
    /// connections' memory) instead of keeping them.
    /// </summary>
    public static async Task TrimAsync(Func<Task> releaseIdle)
    {
        ArgumentNullException.ThrowIfNull(releaseIdle);
        await releaseIdle().ConfigureAwait(false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeTrim();
    }

    private static bool s_noMallocTrim;

    private static void NativeTrim()
    {
        if (s_noMallocTrim || !OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): the managed part of the trim still happened.
            s_noMallocTrim = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}

/// <summary>
/// Trims memory once after each burst of work, when the server has gone quiet: every
/// <see cref="Period"/> it looks at how much the process allocated; after at least
/// <see cref="BurstBytes"/> since the last trim, a period with less than <see cref="QuietBytes"/>
/// allocated means the burst is over, and it calls <see cref="ProcessMemory.TrimAsync"/>. Under steady
/// load there is no quiet period and nothing is done. A quiet server is also trimmed again once
/// <see cref="SlowInterval"/> has passed since the last trim and anything at all was allocated since:
/// accounts closed for idleness free their SQLite memory without allocating much, and glibc keeps
/// freed memory until malloc_trim (the bench measured 140 MB before such a trim and 104 MB after).
/// </summary>
public sealed class QuietTimeTrimmer : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan SlowInterval = TimeSpan.FromMinutes(5);
    public const long QuietBytes = 1024 * 1024;
    public const long BurstBytes = 32L * 1024 * 1024;
    public const long SlowBytes = 64 * 1024;

    private readonly Timer _timer;
    private long _lastAllocated;
    private long _allocatedAtTrim;
    private long _trimmedAt;
    private int _running;

    private readonly Func<Task> _releaseIdle;

    /// <param name="releaseIdle">Releases what the server is not using at each trim (see <see cref="ProcessMemory.TrimAsync"/>).</param>
    public QuietTimeTrimmer(Func<Task> releaseIdle)
    {
        ArgumentNullException.ThrowIfNull(releaseIdle);
        _releaseIdle = releaseIdle;
        _lastAllocated = _allocatedAtTrim = GC.GetTotalAllocatedBytes(false);
        _trimmedAt = Environment.TickCount64;
        _timer = new Timer(_ => Tick(), null, Period, Period);
    }

    /// <summary>
    /// The decision of one tick: <paramref name="inPeriod"/> bytes allocated during the last period,
    /// <paramref name="sinceTrim"/> since the last trim, <paramref name="elapsedSinceTrim"/> since it.
    /// </summary>
    public static bool ShouldTrim(long inPeriod, long sinceTrim, TimeSpan elapsedSinceTrim) =>
        inPeriod < QuietBytes && (sinceTrim >= BurstBytes || (elapsedSinceTrim >= SlowInterval && sinceTrim >= SlowBytes));

    private void Tick()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }
        var allocated = GC.GetTotalAllocatedBytes(false);
        var inPeriod = allocated - _lastAllocated;
        _lastAllocated = allocated;
        if (!ShouldTrim(inPeriod, allocated - _allocatedAtTrim, TimeSpan.FromMilliseconds(Environment.TickCount64 - _trimmedAt)))
        {
            Volatile.Write(ref _running, 0);
            return;
        }
        _ = TrimOnceAsync();
    }

    // Ticks that come while a trim runs see _running set and return.
    private async Task TrimOnceAsync()
    {
        try
        {
            await ProcessMemory.TrimAsync(_releaseIdle).ConfigureAwait(false);
        }
        finally
        {
            _allocatedAtTrim = _lastAllocated = GC.GetTotalAllocatedBytes(false);
            _trimmedAt = Environment.TickCount64;
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
