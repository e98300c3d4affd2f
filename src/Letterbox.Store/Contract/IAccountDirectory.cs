using Letterbox.Core;

namespace Letterbox.Store;

/// <summary>
/// The directory of domains, users and aliases (embedded: <c>directory.db</c>).
/// Errors a person can fix (duplicate user, unknown domain...) are thrown as
/// <see cref="DirectoryException"/> with a one-line message.
/// </summary>
public interface IAccountDirectory
{
    Task<DomainRecord> AddDomainAsync(string domain, CancellationToken ct = default);
    /// <summary>Removes a domain; refused (DirectoryException) while it still has users or aliases.</summary>
    Task RemoveDomainAsync(string domain, CancellationToken ct = default);
    Task<IReadOnlyList<DomainRecord>> ListDomainsAsync(CancellationToken ct = default);
    Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default);

    Task<UserRecord> AddUserAsync(EmailAddress address, string passwordHash, CancellationToken ct = default);
    Task SetPasswordHashAsync(EmailAddress address, string passwordHash, CancellationToken ct = default);
    Task RemoveUserAsync(EmailAddress address, CancellationToken ct = default);
    Task<IReadOnlyList<UserRecord>> ListUsersAsync(string? domain = null, CancellationToken ct = default);
    Task<int> CountUsersAsync(CancellationToken ct = default);

    /// <summary>Finds a user by login (full address; domain always case-insensitive, local part per configuration).</summary>
    Task<UserRecord?> FindUserAsync(string login, CancellationToken ct = default);

    Task AddAliasAsync(EmailAddress alias, EmailAddress target, CancellationToken ct = default);
    /// <summary>Adds a catch-all for a domain: any unknown local part goes to <paramref name="target"/>.</summary>
    Task AddCatchAllAsync(string domain, EmailAddress target, CancellationToken ct = default);
    Task RemoveAliasAsync(string alias, CancellationToken ct = default);
    Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string? domain = null, CancellationToken ct = default);

    /// <summary>Resolves a recipient address to the user that receives it: user, then alias, then catch-all.</summary>
    Task<UserRecord?> ResolveRecipientAsync(string address, CancellationToken ct = default);
}

/// <summary>A directory operation refused for a reason a person can fix; the message is one line.</summary>
public sealed class DirectoryException(string message) : Exception(message);
