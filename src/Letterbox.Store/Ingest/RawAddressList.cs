using System.Text;

namespace Letterbox.Store.Ingest;

/// <summary>
/// Splits a raw (still RFC 2047-encoded) address-list header value (RFC 5322 §3.4) into the
/// address tuples of IMAP ENVELOPE (RFC 9051 §7.5.2): name, route (obsolete source route),
/// mailbox and host; a group is a start tuple (mailbox = group name, host = null) followed by
/// its members and an end tuple (all null). The parser is tolerant: it never throws, it takes
/// what it can from broken input. MimeKit's address parser is not used because it decodes
/// display names, and ENVELOPE must return them exactly as sent.
/// </summary>
internal static class RawAddressList
{
    /// <summary>Upper bound on addresses taken from one header; the rest are ignored.</summary>
    public const int MaxAddresses = 1000;

    public static IReadOnlyList<EnvelopeAddress> Parse(string value)
    {
        var result = new List<EnvelopeAddress>();
        var current = new StringBuilder();
        var inQuote = false;
        var commentDepth = 0;
        var angleDepth = 0;
        var inGroup = false;

        for (var i = 0; i < value.Length && result.Count < MaxAddresses; i++)
        {
            var c = value[i];
            if (inQuote)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                {
                    current.Append(value[++i]);
                }
                else if (c == '"')
                {
                    inQuote = false;
                }
                continue;
            }
            if (commentDepth > 0)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                {
                    current.Append(value[++i]);
                }
                else if (c == '(')
                {
                    commentDepth++;
                }
                else if (c == ')')
                {
                    commentDepth--;
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inQuote = true;
                    current.Append(c);
                    break;
                case '(':
                    commentDepth = 1;
                    current.Append(c);
                    break;
                case '<':
                    angleDepth++;
                    current.Append(c);
                    break;
                case '>':
                    angleDepth = Math.Max(0, angleDepth - 1);
                    current.Append(c);
                    break;
                case ',' when angleDepth == 0:
                    AddMailbox(result, current.ToString());
                    current.Clear();
                    break;
                case ':' when angleDepth == 0 && !inGroup:
                    // RFC 5322 §3.4 group = display-name ":" [group-list] ";"
                    result.Add(new EnvelopeAddress(null, null, Phrase(current.ToString()) ?? "", null));
                    current.Clear();
                    inGroup = true;
                    break;
                case ';' when angleDepth == 0 && inGroup:
                    AddMailbox(result, current.ToString());
                    current.Clear();
                    result.Add(new EnvelopeAddress(null, null, null, null));
                    inGroup = false;
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        AddMailbox(result, current.ToString());
        if (inGroup)
        {
            // An unterminated group still gets its end marker, so the list stays well formed.
            result.Add(new EnvelopeAddress(null, null, null, null));
        }
        return result;
    }

    private static void AddMailbox(List<EnvelopeAddress> result, string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return;
        }

        string? name = null;
        string addrSpec;
        var open = IndexOutsideQuotes(text, '<');
        if (open >= 0)
        {
            name = Phrase(text[..open]);
            var close = text.IndexOf('>', open + 1);
            addrSpec = close < 0 ? text[(open + 1)..] : text[(open + 1)..close];
        }
        else
        {
            addrSpec = text;
            // "user@host (Full Name)": with no phrase, the comment serves as the name, as
            // Dovecot and most clients display it.
            name = LastComment(text);
        }

        addrSpec = StripComments(addrSpec).Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal);
        string? route = null;
        if (addrSpec.StartsWith('@'))
        {
            // RFC 5322 §4.4 obs-route: "@a,@b:" before the address; ENVELOPE keeps it as adl.
            var colon = addrSpec.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                route = addrSpec[..colon];
                addrSpec = addrSpec[(colon + 1)..];
            }
        }

        if (addrSpec.Length == 0 && name is null)
        {
            return;
        }

        var at = LastIndexOutsideQuotes(addrSpec, '@');
        var mailbox = at < 0 ? addrSpec : addrSpec[..at];
        // A missing domain is an empty host, never NIL: NIL host marks group syntax.
        var host = at < 0 ? "" : addrSpec[(at + 1)..];
        result.Add(new EnvelopeAddress(name, route, mailbox, host));
    }

    /// <summary>A display name: comments dropped, a quoted string unquoted; null when empty.</summary>
    private static string? Phrase(string text)
    {
        var builder = new StringBuilder(text.Length);
        var inQuote = false;
        var commentDepth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (commentDepth > 0)
            {
                if (c == '(')
                {
                    commentDepth++;
                }
                else if (c == ')')
                {
                    commentDepth--;
                }
                continue;
            }
            if (c == '\\' && inQuote && i + 1 < text.Length)
            {
                builder.Append(text[++i]);
            }
            else if (c == '"')
            {
                inQuote = !inQuote;
            }
            else if (c == '(' && !inQuote)
            {
                commentDepth = 1;
            }
            else
            {
                builder.Append(c);
            }
        }
        var phrase = builder.ToString().Trim();
        return phrase.Length == 0 ? null : phrase;
    }

    private static string? LastComment(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }
        var depth = 0;
        for (var i = close; i >= 0; i--)
        {
            if (text[i] == ')')
            {
                depth++;
            }
            else if (text[i] == '(' && --depth == 0)
            {
                var comment = text[(i + 1)..close].Trim();
                return comment.Length == 0 ? null : comment;
            }
        }
        return null;
    }

    private static string StripComments(string text)
    {
        if (!text.Contains('(', StringComparison.Ordinal))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        var depth = 0;
        var inQuote = false;
        foreach (var c in text)
        {
            if (!inQuote && c == '(')
            {
                depth++;
            }
            else if (!inQuote && c == ')' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                if (c == '"')
                {
                    inQuote = !inQuote;
                }
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static int IndexOutsideQuotes(string text, char wanted)
    {
        var inQuote = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                inQuote = !inQuote;
            }
            else if (text[i] == '\\' && inQuote)
            {
                i++;
            }
            else if (!inQuote && text[i] == wanted)
            {
                return i;
            }
        }
        return -1;
    }

    private static int LastIndexOutsideQuotes(string text, char wanted)
    {
        var found = -1;
        var inQuote = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                inQuote = !inQuote;
            }
            else if (text[i] == '\\' && inQuote)
            {
                i++;
            }
            else if (!inQuote && text[i] == wanted)
            {
                found = i;
            }
        }
        return found;
    }
}
