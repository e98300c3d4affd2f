using System.Security.Cryptography;
using System.Text;
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
/// <remarks>
/// A failure that repeats the previous failure's login and password exactly is not counted again
/// and not delayed again: clients such as MailKit try every offered mechanism (AUTHENTICATE PLAIN,
/// AUTHENTICATE LOGIN, then LOGIN) with the same password, and one typo must not cost three of the
/// allowed failures. Only a keyed hash (HMAC-SHA256 under a random per-connection key) of the
/// previous attempt is kept, never the password.
/// </remarks>
public sealed class LoginThrottle
{
    /// <summary>No single delay is longer than this, however many failures are allowed.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _firstDelay;
    private readonly int _maxFailures;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private byte[]? _previousAttempt;

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

    /// <summary>Failed logins so far on this connection (repeats of the same credentials count once).</summary>
    public int Failures { get; private set; }

    /// <summary>
    /// Counts a failed attempt with <paramref name="login"/> and <paramref name="password"/> and says how
    /// long to wait and whether to close afterwards. When both equal the previous failed attempt's, the
    /// failure is not counted again: no delay, no disconnect.
    /// </summary>
    public LoginFailure RecordFailure(string login, string password)
    {
        ArgumentNullException.ThrowIfNull(login);
        ArgumentNullException.ThrowIfNull(password);
        var attempt = Fingerprint(login, password);
        var repeat = _previousAttempt is not null && CryptographicOperations.FixedTimeEquals(attempt, _previousAttempt);
        _previousAttempt = attempt;
        return repeat ? new LoginFailure(TimeSpan.Zero, false) : Count();
    }

    /// <summary>Counts a failure that carried no password to compare (it never counts as a repeat).</summary>
    public LoginFailure RecordFailure()
    {
        _previousAttempt = null;
        return Count();
    }

    private LoginFailure Count()
    {
        Failures++;
        // Doubling from the first delay; the shift is bounded so it cannot overflow.
        var factor = 1L << Math.Min(Failures - 1, 20);
        var ticks = _firstDelay.Ticks > MaxDelay.Ticks / factor ? MaxDelay.Ticks : _firstDelay.Ticks * factor;
        return new LoginFailure(TimeSpan.FromTicks(Math.Min(ticks, MaxDelay.Ticks)), Failures >= _maxFailures);
    }

    /// <summary>HMAC-SHA256 of the login's length, the login and the password: equal attempts compare equal, the password cannot be recovered.</summary>
    private byte[] Fingerprint(string login, string password)
    {
        var text = Encoding.UTF8.GetBytes(login.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + login + password);
        try
        {
            return HMACSHA256.HashData(_key, text);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }
}
