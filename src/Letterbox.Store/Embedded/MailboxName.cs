using System.Text;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Mailbox name rules of the embedded store. Names are UTF-8 with '/' as the hierarchy
/// separator (RFC 9051 §5.1). "INBOX" as the first level is case-insensitive and always stored
/// as "INBOX" (RFC 9051 §5.1: "The case-insensitive mailbox name INBOX is a special name").
/// Refused (<see cref="MailStoreError.InvalidName"/>): empty names, a leading or trailing '/',
/// an empty level ("//"), control characters (NUL, CR, LF and the rest of C0, DEL), the LIST
/// wildcards '*' and '%' (a name containing them cannot be listed unambiguously, RFC 9051 §6.3.9),
/// invalid UTF-16 (lone surrogates), more than <see cref="MaxOctets"/> UTF-8 octets or more than
/// <see cref="MaxLevels"/> levels.
/// </summary>
public static class MailboxName
{
    public const string Inbox = "INBOX";
    public const char Separator = '/';
    /// <summary>Longest name accepted, in UTF-8 octets.</summary>
    public const int MaxOctets = 255;
    /// <summary>Deepest hierarchy accepted.</summary>
    public const int MaxLevels = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Validates and canonicalises a name, or throws <see cref="MailStoreException"/> (InvalidName).</summary>
    public static string Normalize(string name)
    {
        if (!TryNormalize(name, out var normalized, out var reason))
        {
            throw new MailStoreException(MailStoreError.InvalidName, reason);
        }
        return normalized;
    }

    /// <summary>Validates and canonicalises a name; false with a one-line reason when it is not acceptable.</summary>
    public static bool TryNormalize(string? name, out string normalized, out string reason)
    {
        normalized = "";
        if (string.IsNullOrEmpty(name))
        {
            reason = "Mailbox name is empty.";
            return false;
        }
        if (name[0] == Separator || name[^1] == Separator)
        {
            reason = "Mailbox name must not start or end with '/'.";
            return false;
        }
        if (name.Contains("//", StringComparison.Ordinal))
        {
            reason = "Mailbox name has an empty level ('//').";
            return false;
        }
        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7F)
            {
                reason = "Mailbox name contains a control character.";
                return false;
            }
            if (c is '*' or '%')
            {
                reason = "Mailbox name must not contain '*' or '%'.";
                return false;
            }
        }
        int octets;
        try
        {
            octets = StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            reason = "Mailbox name is not valid Unicode.";
            return false;
        }
        if (octets > MaxOctets)
        {
            reason = $"Mailbox name is longer than {MaxOctets} octets.";
            return false;
        }
        if (name.Count(c => c == Separator) + 1 > MaxLevels)
        {
            reason = $"Mailbox name has more than {MaxLevels} levels.";
            return false;
        }

        var firstEnd = name.IndexOf(Separator, StringComparison.Ordinal);
        var first = firstEnd < 0 ? name : name[..firstEnd];
        normalized = first.Equals(Inbox, StringComparison.OrdinalIgnoreCase)
            ? Inbox + (firstEnd < 0 ? "" : name[firstEnd..])
            : name;
        reason = "";
        return true;
    }

    /// <summary>The ancestors of a (normalised) name, outermost first: "a/b/c" gives "a", "a/b".</summary>
    public static IEnumerable<string> Ancestors(string name)
    {
        for (var i = name.IndexOf(Separator, StringComparison.Ordinal); i >= 0; i = name.IndexOf(Separator, i + 1))
        {
            yield return name[..i];
        }
    }
}
