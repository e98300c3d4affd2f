namespace Letterbox.Core;

/// <summary>
/// A mailbox address: local part + "@" + domain. The domain is kept as its lower-case
/// A-label (IDNA, UTS #46); the local part as given (comparison rules are the directory's).
/// </summary>
public sealed record EmailAddress(string LocalPart, string Domain)
{
    /// <summary>local@a-label</summary>
    public override string ToString() => LocalPart + "@" + Domain;

    /// <summary>Parses "local@domain"; the error says in one line what is wrong.</summary>
    public static bool TryParse(string? input, out EmailAddress? address, out string? error)
        => EmailAddressParser.TryParse(input, out address, out error);

    public static EmailAddress Parse(string input)
        => TryParse(input, out var a, out var e) ? a! : throw new FormatException(e);
}
