using Letterbox.Core;
using Letterbox.Store;
using Microsoft.Data.Sqlite;

namespace Letterbox.Tests.Accounts;

public sealed class AccountDirectoryTests : IDisposable
{
    private const string Hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
    private readonly TemporaryDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static EmailAddress A(string text) => EmailAddress.Parse(text);

    [Fact]
    public async Task Creates_the_schema_in_WAL_mode_and_keeps_data_across_reopen()
    {
        await using (var directory = await _data.OpenDirectoryAsync())
        {
            await directory.AddDomainAsync("example.com");
            await directory.AddUserAsync(A("alice@example.com"), Hash);
        }

        await using (var connection = new SqliteConnection($"Data Source={_data.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
            command.CommandText = "SELECT version FROM schema_version";
            Assert.Equal(1L, (long?)await command.ExecuteScalarAsync());
        }

        await using (var reopened = await _data.OpenDirectoryAsync())
        {
            Assert.Equal(["example.com"], (await reopened.ListDomainsAsync()).Select(d => d.Name));
            Assert.NotNull(await reopened.FindUserAsync("alice@example.com"));
        }
    }

    [Fact]
    public async Task A_newer_schema_is_refused()
    {
        await (await _data.OpenDirectoryAsync()).DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={_data.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99";
            await command.ExecuteNonQueryAsync();
        }

        var e = await Assert.ThrowsAsync<DirectoryException>(() => _data.OpenDirectoryAsync());
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Domains_add_list_remove_as_A_labels()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        var added = await directory.AddDomainAsync("Bücher.Example");
        Assert.Equal("xn--bcher-kva.example", added.Name);
        await directory.AddDomainAsync("example.com.");

        Assert.Equal(["example.com", "xn--bcher-kva.example"], (await directory.ListDomainsAsync()).Select(d => d.Name));
        Assert.True(await directory.IsLocalDomainAsync("BÜCHER.example"));
        Assert.True(await directory.IsLocalDomainAsync("xn--bcher-kva.example"));
        Assert.False(await directory.IsLocalDomainAsync("example.net"));
        Assert.False(await directory.IsLocalDomainAsync("not a domain"));

        var duplicate = await Assert.ThrowsAsync<DirectoryException>(() => directory.AddDomainAsync("EXAMPLE.com"));
        Assert.Equal("domain example.com is already hosted here", duplicate.Message);

        var invalid = await Assert.ThrowsAsync<DirectoryException>(() => directory.AddDomainAsync("exa_mple.com"));
        Assert.Contains("contains '_'", invalid.Message, StringComparison.Ordinal);

        await directory.RemoveDomainAsync("bücher.example");
        Assert.Equal(["example.com"], (await directory.ListDomainsAsync()).Select(d => d.Name));
        var missing = await Assert.ThrowsAsync<DirectoryException>(() => directory.RemoveDomainAsync("bücher.example"));
        Assert.StartsWith("domain bücher.example is not hosted here", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_add_list_count_remove()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddDomainAsync("example.org");

        var alice = await directory.AddUserAsync(A("Alice@Example.com"), Hash);
        Assert.Equal("alice@example.com", alice.Address);
        Assert.Matches("^[0-9a-f]{32}$", alice.AccountId);
        Assert.False(alice.Disabled);
        Assert.Equal(Hash, alice.PasswordHash);
        var bob = await directory.AddUserAsync(A("bob@example.org"), Hash);
        Assert.NotEqual(alice.AccountId, bob.AccountId);

        Assert.Equal(["alice@example.com", "bob@example.org"], (await directory.ListUsersAsync()).Select(u => u.Address));
        Assert.Equal(["bob@example.org"], (await directory.ListUsersAsync("EXAMPLE.org")).Select(u => u.Address));
        Assert.Equal(2, await directory.CountUsersAsync());
        await Assert.ThrowsAsync<DirectoryException>(() => directory.ListUsersAsync("example.net"));

        await directory.RemoveUserAsync(A("ALICE@example.com"));
        Assert.Null(await directory.FindUserAsync("alice@example.com"));
        Assert.Equal(1, await directory.CountUsersAsync());
        var again = await Assert.ThrowsAsync<DirectoryException>(() => directory.RemoveUserAsync(A("alice@example.com")));
        Assert.Equal("no user alice@example.com", again.Message);

        // Re-adding a removed user never gets the old account folder or row id back.
        var alice2 = await directory.AddUserAsync(A("alice@example.com"), Hash);
        Assert.NotEqual(alice.AccountId, alice2.AccountId);
        Assert.True(alice2.Id > bob.Id);
    }

    [Fact]
    public async Task Unknown_domain_and_duplicates_are_refused_with_one_line()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        var unknown = await Assert.ThrowsAsync<DirectoryException>(() => directory.AddUserAsync(A("alice@example.org"), Hash));
        Assert.Equal("domain example.org is not hosted here: add it first with ./letterbox domain add example.org", unknown.Message);

        await directory.AddDomainAsync("example.org");
        await directory.AddUserAsync(A("alice@example.org"), Hash);
        var duplicate = await Assert.ThrowsAsync<DirectoryException>(() => directory.AddUserAsync(A("ALICE@EXAMPLE.ORG"), Hash));
        Assert.Equal("user alice@example.org already exists", duplicate.Message);

        // An EmailAddress built without the parser is still validated.
        var invalid = await Assert.ThrowsAsync<DirectoryException>(() => directory.AddUserAsync(new EmailAddress("a b", "example.org"), Hash));
        Assert.Contains("contains a space", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logins_are_case_insensitive_by_default()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(A("alice@example.com"), Hash);

        var found = await directory.FindUserAsync("Alice@EXAMPLE.com");
        Assert.Equal("alice@example.com", found?.Address);
        Assert.Equal("alice@example.com", (await directory.FindUserAsync("  alice@example.com.  "))?.Address);
        Assert.Null(await directory.FindUserAsync("alice"));
        Assert.Null(await directory.FindUserAsync("bob@example.com"));
    }

    [Fact]
    public async Task Case_sensitive_local_parts_when_configured()
    {
        await using var directory = await _data.OpenDirectoryAsync(localPartCaseSensitive: true);
        await directory.AddDomainAsync("example.com");
        var upper = await directory.AddUserAsync(A("Alice@example.com"), Hash);
        var lower = await directory.AddUserAsync(A("alice@example.com"), Hash);
        Assert.Equal("Alice@example.com", upper.Address);
        Assert.NotEqual(upper.Id, lower.Id);

        Assert.Equal(upper.Id, (await directory.FindUserAsync("Alice@EXAMPLE.COM"))?.Id);   // domain still folded
        Assert.Equal(lower.Id, (await directory.FindUserAsync("alice@example.com"))?.Id);
        Assert.Null(await directory.FindUserAsync("ALICE@example.com"));
    }

    [Fact]
    public async Task Passwords_and_disabled_flag_are_updated()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(A("alice@example.com"), Hash);

        await directory.SetPasswordHashAsync(A("ALICE@example.com"), "new-hash");
        Assert.Equal("new-hash", (await directory.FindUserAsync("alice@example.com"))!.PasswordHash);

        await directory.SetDisabledAsync(A("alice@example.com"), true);
        Assert.True((await directory.FindUserAsync("alice@example.com"))!.Disabled);
        await directory.SetDisabledAsync(A("alice@example.com"), false);
        Assert.False((await directory.FindUserAsync("alice@example.com"))!.Disabled);

        await Assert.ThrowsAsync<DirectoryException>(() => directory.SetPasswordHashAsync(A("nobody@example.com"), "x"));
    }

    [Fact]
    public async Task Aliases_catch_all_and_subaddresses_resolve_to_users()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddDomainAsync("example.org");
        var alice = await directory.AddUserAsync(A("alice@example.com"), Hash);
        var bob = await directory.AddUserAsync(A("bob@example.com"), Hash);

        await directory.AddAliasAsync(A("Postmaster@example.com"), A("ALICE@example.com"));
        await directory.AddAliasAsync(A("sales@example.org"), A("bob@example.com"));

        Assert.Equal(alice.Id, (await directory.ResolveRecipientAsync("alice@example.com"))?.Id);
        Assert.Equal(alice.Id, (await directory.ResolveRecipientAsync("POSTMASTER@Example.COM"))?.Id);
        Assert.Equal(bob.Id, (await directory.ResolveRecipientAsync("sales@example.org"))?.Id);
        Assert.Equal(alice.Id, (await directory.ResolveRecipientAsync("alice+lists@example.com"))?.Id);
        Assert.Equal(alice.Id, (await directory.ResolveRecipientAsync("postmaster+x@example.com"))?.Id);
        Assert.Null(await directory.ResolveRecipientAsync("carol@example.com"));
        Assert.Null(await directory.ResolveRecipientAsync("+x@example.com"));
        Assert.Null(await directory.ResolveRecipientAsync("alice@example.net"));
        Assert.Null(await directory.ResolveRecipientAsync("garbage"));

        await directory.AddCatchAllAsync("EXAMPLE.com", A("bob@example.com"));
        Assert.Equal(bob.Id, (await directory.ResolveRecipientAsync("carol@example.com"))?.Id);
        Assert.Equal(bob.Id, (await directory.ResolveRecipientAsync("carol+x@example.com"))?.Id);
        Assert.Equal(alice.Id, (await directory.ResolveRecipientAsync("alice+x@example.com"))?.Id);  // a user beats the catch-all
        Assert.Null(await directory.ResolveRecipientAsync("carol@example.org"));

        Assert.Equal(
            [("@example.com", "bob@example.com"), ("postmaster@example.com", "alice@example.com"), ("sales@example.org", "bob@example.com")],
            (await directory.ListAliasesAsync()).Select(a => (a.Alias, a.Target)));
        Assert.Equal(["sales@example.org"], (await directory.ListAliasesAsync("example.org")).Select(a => a.Alias));

        await directory.RemoveAliasAsync("@Example.com");
        Assert.Null(await directory.ResolveRecipientAsync("carol@example.com"));
        await directory.RemoveAliasAsync("POSTMASTER@example.com");
        Assert.Null(await directory.ResolveRecipientAsync("postmaster@example.com"));
        var missing = await Assert.ThrowsAsync<DirectoryException>(() => directory.RemoveAliasAsync("postmaster@example.com"));
        Assert.Equal("no alias postmaster@example.com", missing.Message);
    }

    [Fact]
    public async Task Alias_conflicts_are_refused()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(A("alice@example.com"), Hash);
        await directory.AddAliasAsync(A("info@example.com"), A("alice@example.com"));

        Assert.Equal("alias info@example.com already exists",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddAliasAsync(A("INFO@example.com"), A("alice@example.com")))).Message);
        Assert.Contains("is already a user",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddAliasAsync(A("alice@example.com"), A("alice@example.com")))).Message,
            StringComparison.Ordinal);
        Assert.Contains("is already an alias of alice@example.com",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddUserAsync(A("info@example.com"), Hash))).Message,
            StringComparison.Ordinal);
        Assert.Contains("an alias must point at an existing user",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddAliasAsync(A("x@example.com"), A("nobody@example.com")))).Message,
            StringComparison.Ordinal);
        Assert.StartsWith("domain example.net is not hosted here",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddAliasAsync(A("x@example.net"), A("alice@example.com")))).Message,
            StringComparison.Ordinal);
        Assert.StartsWith("domain example.net is not hosted here",
            (await Assert.ThrowsAsync<DirectoryException>(() => directory.AddCatchAllAsync("example.net", A("alice@example.com")))).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_a_user_removes_aliases_pointing_at_it()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddUserAsync(A("alice@example.com"), Hash);
        await directory.AddUserAsync(A("bob@example.com"), Hash);
        await directory.AddAliasAsync(A("info@example.com"), A("alice@example.com"));
        await directory.AddAliasAsync(A("help@example.com"), A("bob@example.com"));

        await directory.RemoveUserAsync(A("alice@example.com"));
        Assert.Equal(["help@example.com"], (await directory.ListAliasesAsync()).Select(a => a.Alias));
        Assert.Null(await directory.ResolveRecipientAsync("info@example.com"));
    }

    [Fact]
    public async Task Domain_removal_is_refused_while_users_or_aliases_remain()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");
        await directory.AddDomainAsync("example.org");
        await directory.AddUserAsync(A("alice@example.com"), Hash);
        await directory.AddAliasAsync(A("alice@example.org"), A("alice@example.com"));

        var users = await Assert.ThrowsAsync<DirectoryException>(() => directory.RemoveDomainAsync("example.com"));
        Assert.Equal("domain example.com still has 1 user and 0 aliases: remove them first", users.Message);
        var aliases = await Assert.ThrowsAsync<DirectoryException>(() => directory.RemoveDomainAsync("example.org"));
        Assert.Equal("domain example.org still has 0 users and 1 alias: remove them first", aliases.Message);

        await directory.RemoveAliasAsync("alice@example.org");
        await directory.RemoveDomainAsync("example.org");
        Assert.Equal(["example.com"], (await directory.ListDomainsAsync()).Select(d => d.Name));
    }

    [Fact]
    public async Task Concurrent_adds_from_many_tasks_all_land()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");

        const int Tasks = 8, PerTask = 10;
        var added = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var users = new List<UserRecord>();
            for (var i = 0; i < PerTask; i++)
            {
                users.Add(await directory.AddUserAsync(A($"user{t}-{i}@example.com"), Hash));
                Assert.NotNull(await directory.FindUserAsync($"user{t}-{i}@example.com"));
            }

            return users;
        })));

        Assert.Equal(Tasks * PerTask, await directory.CountUsersAsync());
        Assert.Equal(Tasks * PerTask, added.SelectMany(u => u).Select(u => u.AccountId).Distinct().Count());
        Assert.Equal(Tasks * PerTask, added.SelectMany(u => u).Select(u => u.Id).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_adds_of_the_same_user_let_exactly_one_win()
    {
        await using var directory = await _data.OpenDirectoryAsync();
        await directory.AddDomainAsync("example.com");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await directory.AddUserAsync(A(i % 2 == 0 ? "same@example.com" : "SAME@example.com"), Hash);
                return true;
            }
            catch (DirectoryException)
            {
                return false;
            }
        })));

        Assert.Single(attempts, won => won);
        Assert.Equal(1, await directory.CountUsersAsync());
    }

    [Fact]
    public async Task Two_directory_objects_on_one_file_see_each_other()
    {
        // The CLI and the running server each open the file; a user added by one is found by the other.
        await using var server = await _data.OpenDirectoryAsync();
        await using var cli = await _data.OpenDirectoryAsync();
        await cli.AddDomainAsync("example.com");
        await cli.AddUserAsync(A("alice@example.com"), Hash);
        Assert.NotNull(await server.FindUserAsync("alice@example.com"));

        var both = await Task.WhenAll(
            Task.Run(() => server.AddUserAsync(A("s@example.com"), Hash)),
            Task.Run(() => cli.AddUserAsync(A("c@example.com"), Hash)));
        Assert.Equal(2, both.Length);
        Assert.Equal(3, await server.CountUsersAsync());
    }
}
