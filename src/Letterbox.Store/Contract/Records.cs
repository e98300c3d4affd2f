namespace Letterbox.Store;

/// <summary>A hosted domain. <see cref="Name"/> is the lower-case A-label (xn--) form.</summary>
public sealed record DomainRecord(string Name, DateTimeOffset Created);

/// <summary>
/// A user of the directory. <see cref="Address"/> is the canonical login: local part as entered
/// (or lower-cased when local parts are case-insensitive) + "@" + the domain's A-label.
/// <see cref="AccountId"/> names the account's folder in the data directory and never changes.
/// </summary>
public sealed record UserRecord(
    long Id,
    string Address,
    string AccountId,
    string PasswordHash,
    bool Disabled,
    DateTimeOffset Created);

/// <summary>An alias: mail for <see cref="Alias"/> (an address, or "@domain" as catch-all) goes to <see cref="Target"/>.</summary>
public sealed record AliasRecord(string Alias, string Target);
