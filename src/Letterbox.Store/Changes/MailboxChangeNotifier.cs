using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Letterbox.Store.Changes;

/// <summary>
/// In-process <see cref="IMailboxChangeNotifier"/>: subscriptions keyed by account and mailbox.
/// Thread-safe; a subscriber that throws does not stop the others.
/// </summary>
public sealed class MailboxChangeNotifier : IMailboxChangeNotifier
{
    private readonly ConcurrentDictionary<(string AccountId, long MailboxId), ImmutableArray<Subscription>> _subscriptions = new();

    /// <inheritdoc/>
    public IDisposable Subscribe(string accountId, long mailboxId, Action onChange)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(onChange);
        var key = (accountId, mailboxId);
        var subscription = new Subscription(this, key, onChange);
        _subscriptions.AddOrUpdate(key, _ => [subscription], (_, list) => list.Add(subscription));
        return subscription;
    }

    /// <inheritdoc/>
    public void Publish(string accountId, long mailboxId)
    {
        if (!_subscriptions.TryGetValue((accountId, mailboxId), out var list))
        {
            return;
        }
        foreach (var subscription in list)
        {
            try
            {
                subscription.OnChange();
            }
            catch (Exception)
            {
                // A subscriber's failure is its own; the publisher (a commit that already
                // happened) must not fail because of it, and the other subscribers still hear.
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        while (_subscriptions.TryGetValue(subscription.Key, out var list))
        {
            var updated = list.Remove(subscription);
            if (updated.Length == list.Length)
            {
                return;
            }
            var done = updated.IsEmpty
                ? _subscriptions.TryRemove(new KeyValuePair<(string, long), ImmutableArray<Subscription>>(subscription.Key, list))
                : _subscriptions.TryUpdate(subscription.Key, updated, list);
            if (done)
            {
                return;
            }
        }
    }

    private sealed class Subscription(MailboxChangeNotifier owner, (string AccountId, long MailboxId) key, Action onChange) : IDisposable
    {
        private int _disposed;

        public (string AccountId, long MailboxId) Key { get; } = key;

        public Action OnChange { get; } = onChange;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(this);
            }
        }
    }
}
