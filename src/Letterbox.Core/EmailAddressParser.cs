namespace Letterbox.Core;

// Placeholder until the accounts work lands; replaced by the real parser.
internal static class EmailAddressParser
{
    public static bool TryParse(string? input, out EmailAddress? address, out string? error)
    {
        address = null;
        error = null;
        var at = input?.LastIndexOf('@') ?? -1;
        if (input is null || at <= 0 || at == input.Length - 1)
        {
            error = "not an address";
            return false;
        }
        address = new EmailAddress(input[..at], input[(at + 1)..].ToLowerInvariant());
        return true;
    }
}
