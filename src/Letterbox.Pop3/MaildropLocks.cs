namespace Letterbox.Pop3;

/// <summary>The outcome of asking for a maildrop lock.</summary>
internal enum LockOutcome
{
    Acquired,
    /// <summary>Another POP3 session holds the maildrop (RFC 2449 §8.1.1 IN-USE).</summary>
    InUse,
    /// <summary>The previous login was less than LOGIN-DELAY ago (RFC 2449 §8.1.2).</summary>
    TooSoon,
}

/// <summary>
/// RFC 1939 §4: the maildrop is locked from login to the end of the session, so two POP3 sessions
/// never hold conflicting views. Keyed by AccountId, in process (IMAP sessions do not take it).
/// Also remembers each account's last login for LOGIN-DELAY.
/// </summary>
internal sealed class MaildropLocks(TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _lastLogin = new(StringComparer.Ordinal);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>Takes the lock for <paramref name="accountId"/>; dispose the handle to release it.</summary>
    public LockOutcome TryAcquire(string accountId, TimeSpan loginDelay, out IDisposable? handle)
    {
        handle = null;
        lock (_held)
        {
            if (_held.Contains(accountId))
            {
                return LockOutcome.InUse;
            }
            var now = time.GetUtcNow();
            if (loginDelay > TimeSpan.Zero && _lastLogin.TryGetValue(accountId, out var last) && now - last < loginDelay)
            {
                return LockOutcome.TooSoon;
            }
            _held.Add(accountId);
            _lastLogin[accountId] = now;
        }
        handle = new Handle(this, accountId);
        return LockOutcome.Acquired;
    }

    public bool IsLocked(string accountId)
    {
        lock (_held)
        {
            return _held.Contains(accountId);
        }
    }

    private void Release(string accountId)
    {
        lock (_held)
        {
            _held.Remove(accountId);
        }
    }

    private sealed class Handle(MaildropLocks owner, string accountId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(accountId);
            }
        }
    }
}
