using System.Globalization;
using System.Text;

namespace Letterbox.Core;

/// <summary>
/// Mailbox syntax for the addresses Letterbox hosts: a dot-atom local part (RFC 5322 §3.2.3,
/// with UTF-8 allowed per RFC 6531 §3.3) and a fully-qualified domain stored as its A-label.
/// Quoted local parts are legal mail syntax but no one hosts them; refusing them keeps logins typeable.
/// </summary>
internal static class EmailAddressParser
{
    /// <summary>RFC 5321 §4.5.3.1.1.</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>RFC 5321 §4.5.3.1.3: a 256-octet path less the angle brackets.</summary>
    public const int MaxAddressLength = 254;

    // RFC 5322 §3.2.3 atext, besides letters and digits.
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    public static bool TryParse(string? input, out EmailAddress? address, out string? error)
    {
        address = null;
        error = Validate(input, out var local, out var domain);
        if (error is not null)
        {
            return false;
        }

        address = new EmailAddress(local!, domain!);
        return true;
    }

    private static string? Validate(string? input, out string? local, out string? domain)
    {
        local = null;
        domain = null;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "address is empty";
        }

        // Checked before splitting: a quoted local part may itself contain '@'.
        if (text[0] == '"')
        {
            return "quoted local parts (\"...\"@domain) are not supported: use a plain local part such as first.last@example.org";
        }

        if (text.Length > MaxAddressLength * 4)
        {
            return $"address is {text.Length} characters long: at most {MaxAddressLength} octets are allowed (RFC 5321 §4.5.3.1.3)";
        }

        var at = text.LastIndexOf('@');
        if (at < 0)
        {
            return $"'{text}' has no '@': an address looks like user@example.org";
        }

        var localPart = text[..at];
        var domainPart = text[(at + 1)..];
        if (localPart.Length == 0)
        {
            return $"'{text}' has nothing before the '@': the local part is empty";
        }

        if (domainPart.Length == 0)
        {
            return $"'{text}' has nothing after the '@': the domain is empty";
        }

        if (localPart.Contains('@'))
        {
            return $"'{text}' contains more than one '@'";
        }

        try
        {
            // RFC 6532 §3.1: UTF-8 text should be NFC so that one address has one spelling.
            localPart = localPart.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return $"local part of '{text}' is not valid Unicode (a lone surrogate)";
        }

        var localError = CheckLocalPart(localPart);
        if (localError is not null)
        {
            return localError;
        }

        if (domainPart[0] == '[')
        {
            return $"address literals like '{domainPart}' are not accepted: use a domain name (RFC 5321 §4.1.3)";
        }

        if (!HostName.TryParse(domainPart, requireFullyQualified: true, out var host, out var hostError))
        {
            return $"domain of '{text}' is not valid: {hostError}";
        }

        local = localPart;
        domain = host.Value;
        var octets = Encoding.UTF8.GetByteCount(local) + 1 + domain.Length;
        if (octets > MaxAddressLength)
        {
            return $"address is {octets} octets long: at most {MaxAddressLength} are allowed (RFC 5321 §4.5.3.1.3)";
        }

        return null;
    }

    private static string? CheckLocalPart(string local)
    {
        var octets = Encoding.UTF8.GetByteCount(local);
        if (octets > MaxLocalPartLength)
        {
            return $"local part is {octets} octets long: at most {MaxLocalPartLength} are allowed (RFC 5321 §4.5.3.1.1)";
        }

        // dot-atom-text = 1*atext *("." 1*atext)   (RFC 5322 §3.2.3)
        if (local[0] == '.')
        {
            return $"local part '{local}' starts with a dot: dots may only separate words (RFC 5322 §3.2.3)";
        }

        if (local[^1] == '.')
        {
            return $"local part '{local}' ends with a dot: dots may only separate words (RFC 5322 §3.2.3)";
        }

        if (local.Contains("..", StringComparison.Ordinal))
        {
            return $"local part '{local}' has two dots in a row: dots may only separate words (RFC 5322 §3.2.3)";
        }

        foreach (var rune in local.EnumerateRunes())
        {
            if (!IsAtext(rune))
            {
                return $"local part '{local}' contains {Describe(rune)}: use letters, digits, dots and {AtextSymbols} (RFC 5322 §3.2.3, RFC 6531 §3.3)";
            }
        }

        return null;
    }

    private static bool IsAtext(Rune rune)
    {
        if (rune.IsAscii)
        {
            var c = (char)rune.Value;
            return char.IsAsciiLetterOrDigit(c) || c == '.' || AtextSymbols.Contains(c);
        }

        // RFC 6531 §3.3 admits any UTF8-non-ascii; controls, spaces and invisible format characters
        // are refused because no one can type or see them in a login.
        var category = Rune.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
    }

    private static string Describe(Rune rune) => rune.Value switch
    {
        ' ' => "a space",
        _ when Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || !IsVisible(rune) => $"U+{rune.Value:X4}",
        _ => $"'{rune}'",
    };

    private static bool IsVisible(Rune rune) => Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
}
