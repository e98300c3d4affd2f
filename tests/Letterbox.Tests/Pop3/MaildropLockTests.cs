using Letterbox.Pop3;

namespace Letterbox.Tests.Pop3;

/// <summary>The per-account maildrop lock (RFC 1939 §4) and LOGIN-DELAY bookkeeping (RFC 2449 §8.1.2).</summary>
public class MaildropLockTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void One_holder_per_account_until_released()
    {
        var locks = new MaildropLocks(TimeProvider.System);
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a1", TimeSpan.Zero, out var first));
        Assert.Equal(LockOutcome.InUse, locks.TryAcquire("a1", TimeSpan.Zero, out var refused));
        Assert.Null(refused);
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a2", TimeSpan.Zero, out var other));
        first!.Dispose();
        first.Dispose();
        Assert.False(locks.IsLocked("a1"));
        Assert.True(locks.IsLocked("a2"));
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a1", TimeSpan.Zero, out var again));
        // Disposing the old handle twice must not release the new holder's lock.
        first.Dispose();
        Assert.True(locks.IsLocked("a1"));
        again!.Dispose();
        other!.Dispose();
    }

    [Fact]
    public void Login_delay_counts_from_the_last_login()
    {
        var clock = new ManualClock();
        var locks = new MaildropLocks(clock);
        var delay = TimeSpan.FromMinutes(5);
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a", delay, out var h));
        h!.Dispose();
        clock.Now += TimeSpan.FromMinutes(4);
        Assert.Equal(LockOutcome.TooSoon, locks.TryAcquire("a", delay, out _));
        Assert.False(locks.IsLocked("a"));
        clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a", delay, out h));
        h!.Dispose();
        Assert.Equal(LockOutcome.Acquired, locks.TryAcquire("a", TimeSpan.Zero, out h));
        h!.Dispose();
    }
}
