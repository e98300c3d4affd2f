using System.Runtime.InteropServices;

namespace Letterbox.Core.Security;

/// <summary>
/// Argon2id through libsodium's <c>crypto_pwhash</c> when the system has it (Debian: libsodium23,
/// which Dovecot also uses), else nothing: <see cref="PasswordHasher"/> then computes with the managed
/// Konscious implementation. Same function, same bytes (RFC 9106 test vectors and cross-checks in
/// the tests); the native code is about eight times faster, which is most of the cost of an IMAP or
/// POP3 LOGIN (bench/: ~160 ms of CPU managed, ~20 ms native for m=19456,t=2,p=1).
/// libsodium computes only parallelism 1 and 16-byte salts; other hashes take the managed path.
/// </summary>
internal static class SodiumArgon2
{
    private const int AlgArgon2id13 = 2; // crypto_pwhash_ALG_ARGON2ID13
    private const int SaltBytes = 16;    // crypto_pwhash_SALTBYTES

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SodiumInit();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CryptoPwhash(byte[] output, ulong outputLength, byte[] password, ulong passwordLength,
        byte[] salt, ulong opsLimit, nuint memLimit, int algorithm);

    private static readonly CryptoPwhash? Pwhash = Load();

    /// <summary>Whether libsodium was found and initialised.</summary>
    public static bool IsAvailable => Pwhash is not null;

    /// <summary>Computes the tag with libsodium; false when it cannot (no library, unsupported parameters).</summary>
    public static bool TryCompute(byte[] password, byte[] salt, Argon2Parameters parameters, byte[] output)
    {
        if (Pwhash is null || salt.Length != SaltBytes || parameters.Parallelism != 1)
        {
            return false;
        }
        return Pwhash(output, (ulong)output.Length, password, (ulong)password.Length, salt,
            (ulong)parameters.Iterations, (nuint)parameters.MemoryKiB * 1024, AlgArgon2id13) == 0;
    }

    private static CryptoPwhash? Load()
    {
        if (Environment.GetEnvironmentVariable("LETTERBOX_MANAGED_ARGON2") == "1")
        {
            return null;
        }
        foreach (var name in new[] { "libsodium.so.23", "libsodium.so.26", "libsodium", "libsodium.dylib" })
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }
            if (NativeLibrary.TryGetExport(library, "sodium_init", out var init)
                && NativeLibrary.TryGetExport(library, "crypto_pwhash", out var pwhash)
                && Marshal.GetDelegateForFunctionPointer<SodiumInit>(init)() >= 0)
            {
                return Marshal.GetDelegateForFunctionPointer<CryptoPwhash>(pwhash);
            }
        }
        return null;
    }
}
