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
}
