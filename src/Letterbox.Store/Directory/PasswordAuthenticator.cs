using Letterbox.Core.Security;

namespace Letterbox.Store;

/// <summary>
/// Password logins against the directory's Argon2id hashes. An unknown login still pays for one
/// verification against a dummy hash made with the same parameters, so response time does not
/// reveal which addresses exist. At most <see cref="MaxConcurrentVerifications"/> hashes run at
/// once: each takes ~19 MiB, and a login storm must not take the server's memory with it.
/// </summary>
public sealed class PasswordAuthenticator : IAuthenticator
{
    /// <summary>Logins longer than this are not addresses (RFC 5321 §4.5.3.1.3: 254 octets).</summary>
    public const int MaxLoginLength = 320;

    // A hash of a random password nobody knows; computed once, on first use.
    private static readonly Lazy<string> DummyHash = new(
        () => PasswordHasher.Hash(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    private readonly IAccountDirectory _directory;
    private readonly SemaphoreSlim _verifications;
    private readonly VerifiedLoginCache? _verified;

    public PasswordAuthenticator(IAccountDirectory directory)
        : this(directory, Math.Max(2, Environment.ProcessorCount))
    {
    }

    /// <param name="directory">Where users and their hashes are.</param>
    /// <param name="maxConcurrentVerifications">How many hashes may run at once.</param>
    /// <param name="verified">Successful verifications to remember (see <see cref="VerifiedLoginCache"/>); null: none.</param>
    public PasswordAuthenticator(IAccountDirectory directory, int maxConcurrentVerifications, VerifiedLoginCache? verified = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentVerifications, 1);
        _directory = directory;
        _verified = verified;
        MaxConcurrentVerifications = maxConcurrentVerifications;
        _verifications = new SemaphoreSlim(maxConcurrentVerifications, maxConcurrentVerifications);
        // Made now, so the first unknown login does not take two hash times (a timing oracle of its own).
        _ = DummyHash.Value;
    }

    /// <summary>How many password hashes may be computed at the same time.</summary>
    public int MaxConcurrentVerifications { get; }

    public async Task<UserRecord?> AuthenticateAsync(string login, string password, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(login) || login.Length > MaxLoginLength
            || string.IsNullOrEmpty(password) || password.Length > PasswordPolicy.MaxLength)
        {
            // Refused on length alone: says nothing about which users exist.
            return null;
        }

        var user = await _directory.FindUserAsync(login, ct);
        var hash = user?.PasswordHash ?? DummyHash.Value;
        if (user is { Disabled: false } && _verified is not null && _verified.IsVerified(user.Address, hash, password))
        {
            return user;
        }

        await _verifications.WaitAsync(ct);
        bool matches;
        try
        {
            // CPU-bound for tens of milliseconds; run off the caller's I/O continuation.
            matches = await Task.Run(() => PasswordHasher.Verify(password, hash), ct);
        }
        finally
        {
            _verifications.Release();
        }

        if (user is null || !matches || user.Disabled)
        {
            return null;
        }
        _verified?.Remember(user.Address, hash, password);
        return user;
    }
}
