using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Letterbox.Core.Security;

/// <summary>
/// Argon2id password hashes (RFC 9106) in the PHC string format:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>, salt and hash in unpadded base64,
/// as libargon2, Dovecot (ARGON2ID) and PHP's password_hash write them, so hashes move between them.
/// </summary>
public static class PasswordHasher
{
    /// <summary>RFC 9106 §3.1 recommends 128-bit salts.</summary>
    public const int SaltLength = 16;

    /// <summary>256-bit tag.</summary>
    public const int HashLength = 32;

    /// <summary>Argon2 version 1.3 (0x13), the only one Konscious computes.</summary>
    public const int Version = 19;

    private const int MinSaltLength = 8;
    private const int MinHashLength = 16;
    private const int MaxEncodedLength = 512;

    /// <summary>Hashes a password with fresh random salt and <see cref="Argon2Parameters.Default"/>.</summary>
    public static string Hash(string password) => Hash(password, Argon2Parameters.Default);

    /// <summary>Hashes a password with fresh random salt and the given parameters.</summary>
    public static string Hash(string password, Argon2Parameters parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), "Argon2 parameters out of range");
        }

        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = Compute(password, salt, parameters, HashLength);
        return Format(parameters, salt, hash);
    }

    /// <summary>
    /// Checks a password against a PHC string, with the parameters the string carries.
    /// False for a wrong password and for a string that is not a well-formed Argon2id hash.
    /// </summary>
    public static bool Verify(string password, string phc)
    {
        ArgumentNullException.ThrowIfNull(password);
        // Argon2 (and Konscious) take no empty password; no account has one, so it never matches.
        if (password.Length == 0 || !TryParse(phc, out var parsed))
        {
            return false;
        }

        var actual = Compute(password, parsed.Salt, parsed.Parameters, parsed.Hash.Length);
        // Constant time: the comparison must not tell an attacker how many leading bytes matched.
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    /// <summary>Whether a stored hash was made with weaker (or different) parameters than the current default.</summary>
    public static bool NeedsRehash(string phc)
        => !TryParse(phc, out var parsed) || parsed.Parameters != Argon2Parameters.Default || parsed.Salt.Length < SaltLength;

    /// <summary>Parses <c>$argon2id$v=19$m=M,t=T,p=P$salt$hash</c>; false for anything else.</summary>
    public static bool TryParse(string? phc, out PhcHash parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(phc) || phc.Length > MaxEncodedLength)
        {
            return false;
        }

        // "" / "argon2id" / "v=19" / "m=..,t=..,p=.." / salt / hash
        var fields = phc.Split('$');
        if (fields.Length != 6 || fields[0].Length != 0 || fields[1] != "argon2id" || fields[2] != "v=19")
        {
            return false;
        }

        var costs = fields[3].Split(',');
        if (costs.Length != 3
            || !TryParseCost(costs[0], "m=", out var memory)
            || !TryParseCost(costs[1], "t=", out var iterations)
            || !TryParseCost(costs[2], "p=", out var parallelism))
        {
            return false;
        }

        var parameters = new Argon2Parameters(memory, iterations, parallelism);
        if (!parameters.IsValid
            || !TryDecodeBase64(fields[4], out var salt) || salt.Length < MinSaltLength
            || !TryDecodeBase64(fields[5], out var hash) || hash.Length < MinHashLength)
        {
            return false;
        }

        parsed = new PhcHash(parameters, salt, hash);
        return true;
    }

    private static byte[] Compute(string password, byte[] salt, Argon2Parameters parameters, int length)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            var native = new byte[length];
            if (SodiumArgon2.TryCompute(passwordBytes, salt, parameters, native))
            {
                return native;
            }
            return ComputeManaged(passwordBytes, salt, parameters, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>The managed computation (Konscious), for parameters libsodium does not take and for the cross-check tests.</summary>
    internal static byte[] ComputeManaged(byte[] passwordBytes, byte[] salt, Argon2Parameters parameters, int length)
    {
        using var argon2 = new Argon2id(passwordBytes)
        {
            Salt = salt,
            MemorySize = parameters.MemoryKiB,
            Iterations = parameters.Iterations,
            DegreeOfParallelism = parameters.Parallelism,
        };
        return argon2.GetBytes(length);
    }

    private static string Format(Argon2Parameters p, byte[] salt, byte[] hash)
        => string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v={Version}$m={p.MemoryKiB},t={p.Iterations},p={p.Parallelism}${EncodeBase64(salt)}${EncodeBase64(hash)}");

    private static bool TryParseCost(string field, string prefix, out int value)
    {
        value = 0;
        if (!field.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = field.AsSpan(prefix.Length);
        // PHC format: decimal, no sign, no leading zeros.
        return digits.Length is > 0 and <= 9
            && (digits.Length == 1 || digits[0] != '0')
            && !digits.ContainsAnyExcept("0123456789")
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // PHC: standard base64 alphabet without '=' padding.
    private static string EncodeBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Contains('=') || text.Length % 4 == 1)
        {
            return false;
        }

        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        // Only the canonical encoding: otherwise the unused low bits of the last character give
        // several spellings of one hash, and a tampered string would still verify.
        return string.Equals(EncodeBase64(bytes), text, StringComparison.Ordinal);
    }
}

/// <summary>A parsed Argon2id PHC string.</summary>
public readonly record struct PhcHash(Argon2Parameters Parameters, byte[] Salt, byte[] Hash);
