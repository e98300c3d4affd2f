namespace Letterbox.Store.Embedded;

/// <summary>A session's claim on an open account; disposing it lets the account close when idle.</summary>
internal sealed class AccountLease(AccountDatabase database, Action release) : IDisposable
{
    private int _released;

    public AccountDatabase Database { get; } = database;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}

/// <summary>
/// Open accounts shared by all their sessions (opening an account again is cheap), closed once
/// no session has held them for <see cref="IdleTimeout"/>, so a server with many accounts does
/// not keep a database and its file handles open for each. An account being closed is waited
/// for before it is opened again: there is never more than one writer per account.
/// </summary>
internal sealed class AccountCache : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly Func<string, Task<AccountDatabase>> _open;
    private readonly Timer _timer;
    private bool _disposed;

    public AccountCache(Func<string, Task<AccountDatabase>> open, TimeSpan idleTimeout)
    {
        _open = open;
        IdleTimeout = idleTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _timer = new Timer(_ => _ = EvictIdle(), null, period, period);
    }

    public TimeSpan IdleTimeout { get; }

    /// <summary>Accounts open right now.</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _slots.Count;
            }
        }
    }

    public async Task<AccountLease> AcquireAsync(string accountId, CancellationToken ct)
    {
        Slot slot;
        while (true)
        {
            Task? closing;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_closing.TryGetValue(accountId, out closing))
                {
                    if (!_slots.TryGetValue(accountId, out slot!))
                    {
                        slot = new Slot(new Lazy<Task<AccountDatabase>>(() => _open(accountId)));
                        _slots.Add(accountId, slot);
                    }
                    slot.Handles++;
                    break;
                }
            }
            await closing.WaitAsync(ct).ConfigureAwait(false);
        }

        try
        {
            var database = await slot.Database.Value.WaitAsync(ct).ConfigureAwait(false);
            return new AccountLease(database, () => Release(slot));
        }
        catch
        {
            lock (_gate)
            {
                slot.Handles--;
                slot.IdleSince = Environment.TickCount64;
                if (slot.Database.Value.IsFaulted && _slots.TryGetValue(accountId, out var current) && current == slot)
                {
                    // A failed open is not cached: the next attempt tries again.
                    _slots.Remove(accountId);
                }
            }
            throw;
        }
    }

    /// <summary>
    /// Closes every account no session has held for <paramref name="idleFor"/> (the idle timeout
    /// when null); the task completes once those accounts are closed.
    /// </summary>
    /// <remarks>
    /// They are closed one after another on one task: closing a database blocks its thread (the
    /// last connection's WAL checkpoint, fsyncs), and the memory trim may close a hundred at once;
    /// one pool thread does that work instead of one per account. An account is reopened only
    /// after its own close has finished, whatever happened to it.
    /// </remarks>
    public Task EvictIdle(TimeSpan? idleFor = null)
    {
        var threshold = (long)(idleFor ?? IdleTimeout).TotalMilliseconds;
        var now = Environment.TickCount64;
        var evicted = new List<(string AccountId, AccountDatabase Database, TaskCompletionSource Closed)>();
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }
            foreach (var (accountId, slot) in _slots.ToList())
            {
                if (slot.Handles == 0 && now - slot.IdleSince >= threshold
                    && slot.Database.IsValueCreated && slot.Database.Value.IsCompletedSuccessfully)
                {
                    _slots.Remove(accountId);
                    var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _closing[accountId] = closed.Task;
                    evicted.Add((accountId, slot.Database.Value.Result, closed));
                }
            }
        }
        return evicted.Count == 0 ? Task.CompletedTask : Task.Run(() => CloseInTurnAsync(evicted));
    }

    private async Task CloseInTurnAsync(List<(string AccountId, AccountDatabase Database, TaskCompletionSource Closed)> evicted)
    {
        Exception? first = null;
        foreach (var (accountId, database, closed) in evicted)
        {
            try
            {
                await database.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                first ??= ex;
            }
            finally
            {
                lock (_gate)
                {
                    _closing.Remove(accountId);
                }
                closed.SetResult();
            }
        }
        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<AccountDatabase>> open;
        List<Task> closing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            open = [.. _slots.Values.Where(s => s.Database.IsValueCreated).Select(s => s.Database.Value)];
            closing = [.. _closing.Values];
            _slots.Clear();
        }
        await _timer.DisposeAsync().ConfigureAwait(false);
        foreach (var task in open)
        {
            try
            {
                var database = await task.ConfigureAwait(false);
                await database.DisposeAsync().ConfigureAwait(false);
            }
            catch (MailStoreException)
            {
                // An account that never opened has nothing to close.
            }
        }
        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    private void Release(Slot slot)
    {
        lock (_gate)
        {
            slot.Handles--;
            slot.IdleSince = Environment.TickCount64;
        }
    }

    /// <summary>Closes the idle kept read connections of every open account (see <see cref="AccountDatabase.ReleaseKeptReads"/>).</summary>
    public void ReleaseIdleReads()
    {
        List<AccountDatabase> open;
        lock (_gate)
        {
            open = [.. _slots.Values.Where(s => s.Database.IsValueCreated && s.Database.Value.IsCompletedSuccessfully).Select(s => s.Database.Value.Result)];
        }
        foreach (var database in open)
        {
            database.ReleaseKeptReads();
        }
    }

    private sealed class Slot(Lazy<Task<AccountDatabase>> database)
    {
        public Lazy<Task<AccountDatabase>> Database { get; } = database;

        /// <summary>Leases held; guarded by the cache's lock.</summary>
        public int Handles { get; set; }

        public long IdleSince { get; set; } = Environment.TickCount64;
    }
}
