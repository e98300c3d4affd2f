using Letterbox.Core;
using Letterbox.Core.Security;
using Letterbox.Store;

namespace Letterbox.Tests.Accounts;

public sealed class PasswordAuthenticatorTests : IDisposable
{
    private readonly TemporaryDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private async Task<SqliteAccountDirectory> DirectoryWithAliceAsync()
    {
        var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(EmailAddress.Parse("alice@example.com"), PasswordHasher.Hash("correct horse battery"));
        return directory;
    }

    [Fact]
    public async Task Right_password_returns_the_user()
    {
        await using var directory = await DirectoryWithAliceAsync();
        var authenticator = new PasswordAuthenticator(directory);
        Assert.Equal("alice@example.com", (await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"))?.Address);
        Assert.Equal("alice@example.com", (await authenticator.AuthenticateAsync("Alice@Example.COM", "correct horse battery"))?.Address);
    }

    [Theory]
    [InlineData("alice@example.com", "correct horse batterY")]
    [InlineData("alice@example.com", "")]
    [InlineData("bob@example.com", "correct horse battery")]
    [InlineData("alice@example.org", "correct horse battery")]
    [InlineData("alice", "correct horse battery")]
    [InlineData("", "correct horse battery")]
    public async Task Wrong_password_or_unknown_login_fails(string login, string password)
    {
        await using var directory = await DirectoryWithAliceAsync();
        var authenticator = new PasswordAuthenticator(directory);
        Assert.Null(await authenticator.AuthenticateAsync(login, password));
    }

    [Fact]
    public async Task Disabled_user_fails_even_with_the_right_password()
    {
        await using var directory = await DirectoryWithAliceAsync();
        var authenticator = new PasswordAuthenticator(directory);
        await directory.SetDisabledAsync(EmailAddress.Parse("alice@example.com"), true);
        Assert.Null(await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"));
        await directory.SetDisabledAsync(EmailAddress.Parse("alice@example.com"), false);
        Assert.NotNull(await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"));
    }

    [Fact]
    public async Task Many_concurrent_logins_all_get_the_right_answer()
    {
        await using var directory = await DirectoryWithAliceAsync();
        var authenticator = new PasswordAuthenticator(directory, maxConcurrentVerifications: 2);
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            authenticator.AuthenticateAsync(i % 3 == 2 ? "nobody@example.com" : "alice@example.com", i % 3 == 0 ? "correct horse battery" : "wrong password")));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 3 == 0, results[i] is not null);
        }
    }

    [Fact]
    public async Task A_remembered_login_still_fails_with_another_password_after_a_change_or_when_disabled()
    {
        await using var directory = await DirectoryWithAliceAsync();
        var cache = new VerifiedLoginCache(TimeSpan.FromMinutes(5));
        var authenticator = new PasswordAuthenticator(directory, 2, cache);
        Assert.NotNull(await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"));
        Assert.Equal(1, cache.Count);
        Assert.NotNull(await authenticator.AuthenticateAsync("ALICE@example.com", "correct horse battery"));
        Assert.Null(await authenticator.AuthenticateAsync("alice@example.com", "correct horse batterY"));

        await directory.SetDisabledAsync(EmailAddress.Parse("alice@example.com"), true);
        Assert.Null(await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"));
        await directory.SetDisabledAsync(EmailAddress.Parse("alice@example.com"), false);

        // A new password means a new stored hash: the remembered old one no longer opens the account.
        await directory.SetPasswordHashAsync(EmailAddress.Parse("alice@example.com"), PasswordHasher.Hash("a brand new passphrase"));
        Assert.Null(await authenticator.AuthenticateAsync("alice@example.com", "correct horse battery"));
        Assert.NotNull(await authenticator.AuthenticateAsync("alice@example.com", "a brand new passphrase"));
    }

    [Fact]
    public void Remembered_verifications_expire_and_are_tied_to_the_stored_hash()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-28T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new VerifiedLoginCache(TimeSpan.FromMinutes(5), capacity: 2, clock);
        cache.Remember("alice@example.com", "$argon2id$hash-1", "secret one");
        Assert.True(cache.IsVerified("alice@example.com", "$argon2id$hash-1", "secret one"));
        Assert.False(cache.IsVerified("alice@example.com", "$argon2id$hash-1", "secret two"));
        Assert.False(cache.IsVerified("bob@example.com", "$argon2id$hash-1", "secret one"));
        clock.Now += TimeSpan.FromMinutes(6);
        Assert.False(cache.IsVerified("alice@example.com", "$argon2id$hash-1", "secret one"));
        Assert.Equal(0, cache.Count);

        cache.Remember("alice@example.com", "$argon2id$hash-1", "secret one");
        Assert.False(cache.IsVerified("alice@example.com", "$argon2id$hash-2", "secret one"));

        // Full of live entries: a flood of distinct users empties it rather than growing without bound.
        cache.Remember("a@example.com", "h", "p");
        cache.Remember("b@example.com", "h", "p");
        cache.Remember("c@example.com", "h", "p");
        Assert.True(cache.Count <= 2);

        var off = new VerifiedLoginCache(TimeSpan.Zero);
        off.Remember("alice@example.com", "h", "p");
        Assert.False(off.IsVerified("alice@example.com", "h", "p"));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
