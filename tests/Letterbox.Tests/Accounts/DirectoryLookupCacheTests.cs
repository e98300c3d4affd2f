using Letterbox.Core;
using Letterbox.Store;
using Microsoft.Data.Sqlite;

namespace Letterbox.Tests.Accounts;

/// <summary>
/// The RCPT-time look-ups (hosted domain, recipient) are remembered until directory.db changes:
/// every change, by this directory object, by another one (the CLI in another process) or by plain
/// SQL on another connection, must be seen by the next look-up.
/// </summary>
public sealed class DirectoryLookupCacheTests : IDisposable
{
    private const string Hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
    private readonly TemporaryDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static EmailAddress A(string text) => EmailAddress.Parse(text);

    [Fact]
    public async Task A_user_added_or_removed_elsewhere_is_seen_by_the_next_lookup()
    {
        await using var server = await _data.OpenDirectoryAsync();
        await using var cli = await _data.OpenDirectoryAsync();
        await cli.AddDomainAsync("example.com");
        await cli.AddUserAsync(A("alice@example.com"), Hash);

        // Remembered: asked twice, both absent and present answers.
        Assert.Null(await server.ResolveRecipientAsync("bob@example.com"));
        Assert.Null(await server.ResolveRecipientAsync("bob@example.com"));
        Assert.Equal("alice@example.com", (await server.ResolveRecipientAsync("alice@example.com"))?.Address);

        var bob = await cli.AddUserAsync(A("bob@example.com"), Hash);
        Assert.Equal(bob.AccountId, (await server.ResolveRecipientAsync("bob@example.com"))?.AccountId);

        await cli.RemoveUserAsync(A("alice@example.com"));
        Assert.Null(await server.ResolveRecipientAsync("alice@example.com"));

        await cli.AddAliasAsync(A("alice@example.com"), A("bob@example.com"));
        Assert.Equal(bob.AccountId, (await server.ResolveRecipientAsync("alice@example.com"))?.AccountId);
    }

    [Fact]
    public async Task A_domain_added_or_removed_elsewhere_is_seen_by_the_next_lookup()
    {
        await using var server = await _data.OpenDirectoryAsync();
        await using var cli = await _data.OpenDirectoryAsync();
        Assert.False(await server.IsLocalDomainAsync("example.org"));

        await cli.AddDomainAsync("example.org");
        Assert.True(await server.IsLocalDomainAsync("example.org"));
        Assert.True(await server.IsLocalDomainAsync("EXAMPLE.org"));

        await cli.RemoveDomainAsync("example.org");
        Assert.False(await server.IsLocalDomainAsync("example.org"));
    }

    [Fact]
    public async Task Own_changes_and_plain_SQL_on_another_connection_invalidate_the_answers()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(A("carol@example.com"), Hash);
        Assert.False((await directory.ResolveRecipientAsync("carol@example.com"))!.Disabled);

        await directory.SetDisabledAsync(A("carol@example.com"), true);
        Assert.True((await directory.ResolveRecipientAsync("carol@example.com"))!.Disabled);

        await using (var connection = new SqliteConnection($"Data Source={_data.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE users SET disabled = 0 WHERE address = 'carol@example.com'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        Assert.False((await directory.ResolveRecipientAsync("carol@example.com"))!.Disabled);

        await directory.AddCatchAllAsync("example.com", A("carol@example.com"));
        Assert.Equal("carol@example.com", (await directory.ResolveRecipientAsync("anyone@example.com"))?.Address);
        await directory.RemoveAliasAsync("@example.com");
        Assert.Null(await directory.ResolveRecipientAsync("anyone@example.com"));
    }
}
