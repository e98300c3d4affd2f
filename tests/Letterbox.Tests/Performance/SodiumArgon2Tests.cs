using System.Security.Cryptography;
using System.Text;
using Letterbox.Core.Security;

namespace Letterbox.Tests.Performance;

/// <summary>
/// The native Argon2id path (libsodium, which test.sh installs) must give the managed path's bytes
/// exactly, or every stored hash would stop verifying when the library appears or disappears.
/// </summary>
public sealed class SodiumArgon2Tests
{
    [Fact]
    public void Libsodium_is_found_on_Linux()
    {
        if (OperatingSystem.IsLinux())
        {
            Assert.True(SodiumArgon2.IsAvailable, "libsodium not found: apt-get install libsodium23 (test.sh does)");
        }
    }

    [Theory]
    [InlineData("correct horse battery staple", 19456, 2)]
    [InlineData("pässwörd ✓", 1024, 1)]
    [InlineData("x", 8192, 3)]
    public void Native_and_managed_give_the_same_tag(string password, int memoryKiB, int iterations)
    {
        var salt = Encoding.ASCII.GetBytes("letterbox-salt16");
        var parameters = new Argon2Parameters(memoryKiB, iterations, 1);
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var native = new byte[32];
        Assert.True(SodiumArgon2.TryCompute(passwordBytes, salt, parameters, native));
        Assert.Equal(PasswordHasher.ComputeManaged(passwordBytes, salt, parameters, 32), native);
    }

    [Fact]
    public void Parameters_libsodium_does_not_take_fall_back_to_the_managed_path()
    {
        var output = new byte[32];
        Assert.False(SodiumArgon2.TryCompute("pw"u8.ToArray(), RandomNumberGenerator.GetBytes(16), new Argon2Parameters(8192, 3, 2), output));
        Assert.False(SodiumArgon2.TryCompute("pw"u8.ToArray(), RandomNumberGenerator.GetBytes(8), new Argon2Parameters(8192, 3, 1), output));
        // And such hashes still verify (managed): p=2 from the reference implementation.
        Assert.True(PasswordHasher.Verify("pässwörd",
            "$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U"));
    }
}
