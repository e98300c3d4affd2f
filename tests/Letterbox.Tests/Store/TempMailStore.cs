using System.Text;
using Letterbox.Core;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

/// <summary>A real embedded store in a fresh temp directory, removed on dispose.</summary>
internal sealed class TempMailStore : IAsyncDisposable
{
    private TempMailStore(string root, long maxMessageSize)
    {
        Root = root;
        // These tests make orphans themselves and want them found at once.
        Store = EmbeddedMailStore.Open(root, new TempMailStoreDirectory(), maxMessageSize: maxMessageSize);
        Store.OrphanGracePeriod = TimeSpan.Zero;
    }

    public string Root { get; }

    public EmbeddedMailStore Store { get; private set; }

    public static TempMailStore Create(long maxMessageSize = EmbeddedMailStore.DefaultMaxMessageSize)
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-store-" + Guid.NewGuid().ToString("N"));
        return new TempMailStore(root, maxMessageSize);
    }

    public static UserRecord User(string accountId = "a1") =>
        new(1, accountId + "@example.com", accountId, "hash", false, DateTimeOffset.UtcNow);

    public string AccountDirectory(string accountId = "a1") => Path.Combine(Root, "accounts", accountId);

    public Task<IMailAccount> OpenAsync(string accountId = "a1") => Store.OpenAccountAsync(User(accountId));

    /// <summary>Closes and reopens the store on the same directory (everything read back from disk).</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = EmbeddedMailStore.Open(Root, new TempMailStoreDirectory(), maxMessageSize: Store.MaxMessageSize);
        Store.OrphanGracePeriod = TimeSpan.Zero;
    }

    public static NewMessage Message(string text, params string[] flags) => Message(Encoding.UTF8.GetBytes(text), flags);

    public static NewMessage Message(byte[] bytes, params string[] flags) => new(new MemoryStream(bytes), flags, null);

    public static async Task<byte[]> ReadAllAsync(IMailAccount account, MessageRecord record)
    {
        await using var stream = account.OpenContent(record);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// The store only hands its directory back through <see cref="IMailStore.Directory"/>; these
/// tests never call it (the real one is SqliteAccountDirectory, tested on its own).
/// </summary>
internal sealed class TempMailStoreDirectory : IAccountDirectory
{
    private static InvalidOperationException NotUsed() => new("The mail store tests do not use the account directory.");

    public Task<DomainRecord> AddDomainAsync(string domain, CancellationToken ct = default) => throw NotUsed();
    public Task RemoveDomainAsync(string domain, CancellationToken ct = default) => throw NotUsed();
    public Task<IReadOnlyList<DomainRecord>> ListDomainsAsync(CancellationToken ct = default) => throw NotUsed();
    public Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default) => throw NotUsed();
    public Task<UserRecord> AddUserAsync(EmailAddress address, string passwordHash, CancellationToken ct = default) => throw NotUsed();
    public Task SetPasswordHashAsync(EmailAddress address, string passwordHash, CancellationToken ct = default) => throw NotUsed();
    public Task RemoveUserAsync(EmailAddress address, CancellationToken ct = default) => throw NotUsed();
    public Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain = null, CancellationToken ct = default) => throw NotUsed();
    public Task<int> CountUsersAsync(CancellationToken ct = default) => throw NotUsed();
    public Task<UserRecord?> FindUserAsync(string login, CancellationToken ct = default) => throw NotUsed();
    public Task AddAliasAsync(EmailAddress alias, EmailAddress target, CancellationToken ct = default) => throw NotUsed();
    public Task AddCatchAllAsync(string domain, EmailAddress target, CancellationToken ct = default) => throw NotUsed();
    public Task RemoveAliasAsync(string alias, CancellationToken ct = default) => throw NotUsed();
    public Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string? domain = null, CancellationToken ct = default) => throw NotUsed();
    public Task<UserRecord?> ResolveRecipientAsync(string address, CancellationToken ct = default) => throw NotUsed();
}
