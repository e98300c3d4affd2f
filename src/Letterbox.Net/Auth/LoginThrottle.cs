using Letterbox.Core.Options;

namespace Letterbox.Net.Auth;

/// <summary>What to do after a failed login.</summary>
/// <param name="Delay">How long to wait before answering (slows password guessing).</param>
/// <param name="Disconnect">True when this was the last failure allowed: answer, then close the connection.</param>
public readonly record struct LoginFailure(TimeSpan Delay, bool Disconnect);

/// <summary>
/// The failed-login policy of one connection, shared by every protocol: the first failure waits
/// <see cref="AuthOptions.FailedLoginDelayMs"/>, each further one twice as long (capped at
/// <see cref="MaxDelay"/>), and the <see cref="AuthOptions.MaxFailedLogins"/>th closes the connection
/// (RFC 9051 §11.1, RFC 1939 §13 advise both). Pure: the session does the waiting.
/// </summary>
public sealed class LoginThrottle
{
    /// <summary>No single delay is longer than this, however many failures are allowed.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _firstDelay;
    private readonly int _maxFailures;

    public LoginThrottle(TimeSpan firstDelay, int maxFailures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailures, 1);
        _firstDelay = firstDelay;
        _maxFailures = maxFailures;
    }

    public LoginThrottle(AuthOptions options)
        : this(TimeSpan.FromMilliseconds(Math.Max(0, (options ?? throw new ArgumentNullException(nameof(options))).FailedLoginDelayMs)), Math.Max(1, options.MaxFailedLogins))
    {
    }

    /// <summary>Failed logins so far on this connection.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts a failure and says how long to wait and whether to close afterwards.</summary>
    public LoginFailure RecordFailure()
    {
        Failures++;
        // Doubling from the first delay; the shift is bounded so it cannot overflow.
        var factor = 1L << Math.Min(Failures - 1, 20);
        var ticks = _firstDelay.Ticks > MaxDelay.Ticks / factor ? MaxDelay.Ticks : _firstDelay.Ticks * factor;
        return new LoginFailure(TimeSpan.FromTicks(Math.Min(ticks, MaxDelay.Ticks)), Failures >= _maxFailures);
    }
}
