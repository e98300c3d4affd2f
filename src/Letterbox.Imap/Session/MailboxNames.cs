namespace Letterbox.Imap.Session;

/// <summary>Mailbox name rules: the "/" hierarchy, INBOX in any case (RFC 9051 §5.1), LIST patterns (§6.3.9).</summary>
internal static class MailboxNames
{
    public const char Separator = '/';

    /// <summary>"inbox" and "Inbox/x" become "INBOX" and "INBOX/x".</summary>
    public static string Normalize(string name)
    {
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }
        if (name.Length > 6 && name.StartsWith("INBOX/", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX" + name[5..];
        }
        return name;
    }

    /// <summary>
    /// RFC 9051 §6.3.9: the reference and the pattern are joined ("" reference: the pattern alone;
    /// a reference not ending with the separator gets one unless the pattern starts with it).
    /// </summary>
    public static string Join(string reference, string pattern)
    {
        if (reference.Length == 0)
        {
            return pattern;
        }
        if (pattern.StartsWith(Separator))
        {
            return pattern;
        }
        return reference.EndsWith(Separator) ? reference + pattern : reference + Separator + pattern;
    }

    /// <summary>Matches a name against a LIST pattern: "*" any characters, "%" any except the separator. INBOX is matched case-insensitively.</summary>
    public static bool Matches(string pattern, string name)
    {
        var normalisedPattern = pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase) ? Normalize(pattern[..5]) + pattern[5..] : pattern;
        return Match(normalisedPattern.AsSpan(), name.AsSpan());
    }

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> n)
    {
        while (!p.IsEmpty)
        {
            var c = p[0];
            if (c is '*' or '%')
            {
                var rest = p[1..];
                for (var i = 0; i <= n.Length; i++)
                {
                    if (Match(rest, n[i..]))
                    {
                        return true;
                    }
                    if (i < n.Length && c == '%' && n[i] == Separator)
                    {
                        return false;
                    }
                }
                return false;
            }
            if (n.IsEmpty || n[0] != c)
            {
                return false;
            }
            p = p[1..];
            n = n[1..];
        }
        return n.IsEmpty;
    }

    /// <summary>The parent names of a mailbox ("a/b/c": "a", "a/b").</summary>
    public static IEnumerable<string> Parents(string name)
    {
        for (var i = name.IndexOf(Separator); i > 0; i = name.IndexOf(Separator, i + 1))
        {
            yield return name[..i];
        }
    }
}
