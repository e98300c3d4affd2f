using System.Text.RegularExpressions;
using Letterbox.Core.Security;

namespace Letterbox.Tests.Accounts;

public sealed class PasswordHasherTests
{
    // Known answers from the reference C implementation (libargon2 argon2id_hash_encoded, salt "letterbox-salt16").
    private const string ReferenceDefault =
        "$argon2id$v=19$m=19456,t=2,p=1$bGV0dGVyYm94LXNhbHQxNg$g7cSAfDjS5kdmroHOArz9Hbvbd+xRjxRwrSZ4LuhPeg";
    private const string ReferenceCustom =
        "$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U";

    [Fact]
    public void Hash_then_verify_round_trips()
    {
        var phc = PasswordHasher.Hash("correct horse battery staple");
        Assert.True(PasswordHasher.Verify("correct horse battery staple", phc));
        Assert.False(PasswordHasher.Verify("correct horse battery stapl", phc));
        Assert.False(PasswordHasher.Verify("Correct horse battery staple", phc));
        Assert.False(PasswordHasher.Verify("", phc));
        Assert.Throws<ArgumentException>(() => PasswordHasher.Hash(""));
    }

    [Fact]
    public void Hash_is_in_PHC_form_with_default_parameters_and_fresh_salt()
    {
        var a = PasswordHasher.Hash("same password");
        var b = PasswordHasher.Hash("same password");
        var phc = new Regex(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$");
        Assert.Matches(phc, a);
        Assert.NotEqual(a, b);

        Assert.True(PasswordHasher.TryParse(a, out var parsed));
        Assert.Equal(Argon2Parameters.Default, parsed.Parameters);
        Assert.Equal(PasswordHasher.SaltLength, parsed.Salt.Length);
        Assert.Equal(PasswordHasher.HashLength, parsed.Hash.Length);
        Assert.False(PasswordHasher.NeedsRehash(a));
    }

    [Fact]
    public void Verifies_hashes_made_by_the_reference_implementation()
    {
        Assert.True(PasswordHasher.Verify("correct horse battery staple", ReferenceDefault));
        Assert.False(PasswordHasher.Verify("correct horse battery staplf", ReferenceDefault));
    }

    [Fact]
    public void Verify_reads_the_parameters_from_the_string()
    {
        Assert.True(PasswordHasher.Verify("pässwörd", ReferenceCustom));
        Assert.True(PasswordHasher.TryParse(ReferenceCustom, out var parsed));
        Assert.Equal(new Argon2Parameters(8192, 3, 2), parsed.Parameters);
        Assert.True(PasswordHasher.NeedsRehash(ReferenceCustom));

        var own = PasswordHasher.Hash("other", new Argon2Parameters(1024, 1, 1));
        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=1$", own, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("other", own));
    }

    [Theory]
    [InlineData("$argon2id$v=19$m=8192,t=2,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // t changed
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNw$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // salt changed
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88V")] // non-canonical last char
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR89U")] // hash changed
    [InlineData("$argon2i$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")]  // other variant
    [InlineData("$argon2id$v=16$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // old version
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg==$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // padding
    [InlineData("$argon2id$v=19$m=08192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // leading zero
    [InlineData("$argon2id$v=19$t=3,m=8192,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // order
    [InlineData("$argon2id$v=19$m=99999999,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")] // absurd memory
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg")]                                              // no hash
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U$")] // extra field
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0$Z4qbM7PgslE+EZeayr72Axi9d/Lc+vFBupaxQfUR88U")]                     // salt too short
    [InlineData("$argon2id$v=19$m=8192,t=3,p=2$bGV0dGVyYm94LXNhbHQxNg$!!!!")]
    [InlineData("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW")]                                    // bcrypt
    [InlineData("plain text")]
    [InlineData("")]
    public void Tampered_or_foreign_strings_never_verify(string phc)
        => Assert.False(PasswordHasher.Verify("pässwörd", phc));

    [Fact]
    public void Parameters_outside_the_bounds_are_refused_when_hashing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHasher.Hash("x", new Argon2Parameters(4, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHasher.Hash("x", new Argon2Parameters(8192, 0, 1)));
    }
}

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("correct horse", null)]
    [InlineData("ünïcödé-päss", null)]
    [InlineData("", "password is empty")]
    [InlineData(null, "password is empty")]
    [InlineData("short", "password is 5 characters long: at least 10 are required")]
    [InlineData("😀😀😀😀😀😀😀😀😀", "9 characters long")]                       // counted in characters, not UTF-16 units
    [InlineData("aaaaaaaaaaaa", "repeats a single character")]
    [InlineData("good password\n", "control character")]
    [InlineData("tab\tpassword", "control character")]
    [InlineData(" leading space", "starts or ends with a space")]
    public void Check(string? password, string? expected)
    {
        var error = PasswordPolicy.Check(password, 10);
        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        // Not an InlineData: xunit's serialisation would turn the surrogate into U+FFFD.
        Assert.Equal("password is not valid Unicode (a lone surrogate)", PasswordPolicy.Check("lone \uD800 surrogate", 10));
        Assert.Equal("password is not valid Unicode (a lone surrogate)", PasswordPolicy.Check("\uDC00lone surrogate", 10));
        Assert.Null(PasswordPolicy.Check("real \uFFFD replacement", 10));
    }

    [Fact]
    public void Very_long_passwords_are_refused()
    {
        Assert.Null(PasswordPolicy.Check(new string('x', 1023) + "y", 10));
        Assert.Contains("at most 1024", PasswordPolicy.Check(new string('x', 1024) + "y", 10), StringComparison.Ordinal);
    }
}
