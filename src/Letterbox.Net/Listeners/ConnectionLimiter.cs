using System.Collections.Concurrent;
using System.Net;

namespace Letterbox.Net;

/// <summary>
/// Counts open connections per client address and in all, across every listener, so one
/// address can use only its own share (DESIGN rule 5).
/// </summary>
public sealed class ConnectionLimiter(int maxPerAddress, int maxTotal)
{
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    /// <summary>
    /// Takes a slot for <paramref name="address"/>; false when a limit is reached (nothing taken).
    /// A null address (a Unix socket peer, which has none) counts only against the total.
    /// </summary>
    public bool TryAcquire(IPAddress? address)
    {
        if (Interlocked.Increment(ref _total) > maxTotal)
        {
            Interlocked.Decrement(ref _total);
            return false;
        }
        if (address is null)
        {
            return true;
        }
        var count = _perAddress.AddOrUpdate(address, 1, (_, c) => c + 1);
        if (count > maxPerAddress)
        {
            Release(address);
            return false;
        }
        return true;
    }

    public void Release(IPAddress? address)
    {
        Interlocked.Decrement(ref _total);
        if (address is null)
        {
            return;
        }
        while (true)
        {
            if (!_perAddress.TryGetValue(address, out var count))
            {
                return;
            }
            if (count <= 1)
            {
                if (_perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count)))
                {
                    return;
                }
            }
            else if (_perAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }
}
