namespace Letterbox.Store.Embedded;

/// <summary>
/// One read of "what changed in mailbox M since MODSEQ N" for every session asking it at once.
/// A delivery to a mailbox that 500 IDLE sessions watch wakes all of them, and each asks the very
/// same question; answering each with its own SQLite read took 500 pooled read connections and
/// put the last push behind 500 queries (issue 6, IDLE at scale). Callers are grouped like the
/// writer groups commits: while a read for a key runs, new callers join the read that starts
/// right after it. A caller never joins a read that began before it asked, so it always sees
/// every commit that completed before it asked (its own APPEND included).
/// </summary>
/// <remarks>
/// The shared read runs without the callers' cancellation (one caller leaving must not cancel the
/// others); each caller stops waiting on its own token. A failed read fails the callers of that
/// read only. The <see cref="MailboxDelta"/> is shared: it is immutable.
/// </remarks>
internal sealed class SharedChangeReads(Func<long, ulong, Task<MailboxDelta>> read)
{
    private readonly Lock _lock = new();

    // Present while a read for the key runs; the value is the group waiting for the next read (or null).
    private readonly Dictionary<(long Mailbox, ulong ModSeq), TaskCompletionSource<MailboxDelta>?> _running = [];

    private long _reads;

    /// <summary>Reads run so far (a test sees the sharing here).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public Task<MailboxDelta> ReadAsync(long mailboxId, ulong modSeq, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var key = (mailboxId, modSeq);
        TaskCompletionSource<MailboxDelta> group;
        lock (_lock)
        {
            if (_running.TryGetValue(key, out var next))
            {
                group = next ?? new TaskCompletionSource<MailboxDelta>(TaskCreationOptions.RunContinuationsAsynchronously);
                _running[key] = group;
                return group.Task.WaitAsync(ct);
            }
            group = new TaskCompletionSource<MailboxDelta>(TaskCreationOptions.RunContinuationsAsynchronously);
            _running[key] = null;
        }
        _ = RunAsync(key, group);
        return group.Task.WaitAsync(ct);
    }

    private async Task RunAsync((long Mailbox, ulong ModSeq) key, TaskCompletionSource<MailboxDelta> group)
    {
        while (true)
        {
            try
            {
                Interlocked.Increment(ref _reads);
                group.TrySetResult(await read(key.Mailbox, key.ModSeq).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                group.TrySetException(ex);
            }
            lock (_lock)
            {
                var next = _running[key];
                if (next is null)
                {
                    _running.Remove(key);
                    return;
                }
                // Everyone in `next` asked while the previous read ran: the read starting now is after all of them.
                _running[key] = null;
                group = next;
            }
        }
    }
}
