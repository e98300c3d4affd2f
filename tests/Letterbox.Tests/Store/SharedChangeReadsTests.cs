using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

/// <summary>
/// The grouping of change reads (IDLE at scale): callers asking while a read runs share the next
/// read, never the running one (which may have begun before a commit they must see).
/// </summary>
public sealed class SharedChangeReadsTests
{
    private sealed class GatedReads
    {
        private readonly List<TaskCompletionSource<MailboxDelta>> _reads = [];
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _started = new(0);

        public Task<MailboxDelta> Read(long mailbox, ulong modSeq)
        {
            var read = new TaskCompletionSource<MailboxDelta>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _reads.Add(read);
            }
            _started.Release();
            return read.Task;
        }

        public async Task<TaskCompletionSource<MailboxDelta>> NextStartedAsync()
        {
            Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), "no read started");
            lock (_lock)
            {
                return _reads[^1];
            }
        }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _reads.Count;
                }
            }
        }
    }

    private static MailboxDelta Delta(ulong modSeq) => new(modSeq, 1, [], []);

    [Fact]
    public async Task Callers_arriving_during_a_read_share_the_next_read_not_the_running_one()
    {
        var gate = new GatedReads();
        var reads = new SharedChangeReads(gate.Read);
        var first = reads.ReadAsync(1, 5, CancellationToken.None);
        var running = await gate.NextStartedAsync();

        var joiners = Enumerable.Range(0, 50).Select(_ => reads.ReadAsync(1, 5, CancellationToken.None)).ToArray();
        running.SetResult(Delta(6));
        Assert.Equal(6ul, (await first).HighestModSeq);

        var second = await gate.NextStartedAsync();
        Assert.All(joiners, j => Assert.False(j.IsCompleted));
        second.SetResult(Delta(7));
        var answers = await Task.WhenAll(joiners);
        Assert.All(answers, a => Assert.Equal(7ul, a.HighestModSeq));
        Assert.Equal(2, gate.Count);
        Assert.Equal(2, reads.Reads);
    }

    [Fact]
    public async Task Different_mailboxes_or_modseqs_are_not_shared()
    {
        var gate = new GatedReads();
        var reads = new SharedChangeReads(gate.Read);
        var a = reads.ReadAsync(1, 5, CancellationToken.None);
        var ra = await gate.NextStartedAsync();
        var b = reads.ReadAsync(2, 5, CancellationToken.None);
        var rb = await gate.NextStartedAsync();
        var c = reads.ReadAsync(1, 6, CancellationToken.None);
        var rc = await gate.NextStartedAsync();
        ra.SetResult(Delta(10));
        rb.SetResult(Delta(20));
        rc.SetResult(Delta(30));
        Assert.Equal([10ul, 20ul, 30ul], (await Task.WhenAll(a, b, c)).Select(d => d.HighestModSeq));
    }

    [Fact]
    public async Task A_caller_giving_up_does_not_cancel_the_others_and_a_failure_fails_only_its_group()
    {
        var gate = new GatedReads();
        var reads = new SharedChangeReads(gate.Read);
        var first = reads.ReadAsync(1, 5, CancellationToken.None);
        var running = await gate.NextStartedAsync();
        using var leaving = new CancellationTokenSource();
        var leaver = reads.ReadAsync(1, 5, leaving.Token);
        var stayer = reads.ReadAsync(1, 5, CancellationToken.None);
        leaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaver);

        running.SetException(new MailStoreException(MailStoreError.Unavailable, "disk gone"));
        await Assert.ThrowsAsync<MailStoreException>(() => first);

        var next = await gate.NextStartedAsync();
        next.SetResult(Delta(9));
        Assert.Equal(9ul, (await stayer).HighestModSeq);

        // Nothing is left running: a new caller starts a fresh read.
        var later = reads.ReadAsync(1, 5, CancellationToken.None);
        (await gate.NextStartedAsync()).SetResult(Delta(11));
        Assert.Equal(11ul, (await later).HighestModSeq);
        Assert.Equal(3, gate.Count);
    }
}
