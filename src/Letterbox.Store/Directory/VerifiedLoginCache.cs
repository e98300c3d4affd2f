using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Letterbox.Store;

/// <summary>
/// Remembers, for a short time, that a password was verified against a user's stored hash, so a
/// client that opens several connections or reconnects every few minutes (phones, mbsync per
/// channel) pays for one Argon2id verification, not one per login. Dovecot's auth cache serves the
/// same purpose. What is kept is an HMAC-SHA256 of the password under a key made at start and held
/// only in memory, never the password. An entry counts only while the user's stored hash is the one
/// it was made with: a password change (new salt, new hash) makes it useless at once. Failed
/// logins are never cached; they always pay the full price.
/// </summary>
public sealed class VerifiedLoginCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly TimeProvider _clock;

    public VerifiedLoginCache(TimeSpan lifetime, int capacity = 100_000, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _lifetime = lifetime;
        _capacity = capacity;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>How many verifications are remembered now.</summary>
    public int Count => _entries.Count;

    /// <summary>True when this password was verified against exactly this stored hash within the lifetime.</summary>
    public bool IsVerified(string user, string storedHash, string password)
    {
        if (_lifetime == TimeSpan.Zero || !_entries.TryGetValue(user, out var entry))
        {
            return false;
        }
        if (entry.Expires <= _clock.GetUtcNow() || !string.Equals(entry.StoredHash, storedHash, StringComparison.Ordinal))
        {
            _entries.TryRemove(KeyValuePair.Create(user, entry));
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(entry.PasswordMac, Mac(password));
    }

    /// <summary>Records a successful verification.</summary>
    public void Remember(string user, string storedHash, string password)
    {
        if (_lifetime == TimeSpan.Zero)
        {
            return;
        }
        if (_entries.Count >= _capacity)
        {
            Prune();
        }
        _entries[user] = new Entry(storedHash, Mac(password), _clock.GetUtcNow() + _lifetime);
    }

    /// <summary>Drops expired entries; if the cache is still full, drops everything (a flood of distinct users).</summary>
    private void Prune()
    {
        var now = _clock.GetUtcNow();
        foreach (var (user, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(KeyValuePair.Create(user, entry));
            }
        }
        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }
    }

    private byte[] Mac(string password) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(password));

    private sealed record Entry(string StoredHash, byte[] PasswordMac, DateTimeOffset Expires);
}
