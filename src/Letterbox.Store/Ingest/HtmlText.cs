using System.Buffers;
using System.Net;
using System.Text;

namespace Letterbox.Store.Ingest;

/// <summary>
/// The readable text of an HTML part, for SEARCH (RFC 9051 §6.4.4 matches text, not markup): script
/// and style elements dropped with their content, every other tag replaced by a space, character
/// references decoded, runs of spaces and tabs collapsed to one, the ends trimmed.
/// One pass over the characters into a pooled buffer (no regular expressions, no intermediate strings
/// unless the text has character references): it runs for every HTML part of every delivery.
/// </summary>
internal static class HtmlText
{
    /// <summary>Appends the text of <paramref name="html"/> to <paramref name="text"/>.</summary>
    public static void Append(StringBuilder text, ReadOnlySpan<char> html)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, html.Length));
        try
        {
            var length = Strip(html, buffer, out var hasReference);
            var stripped = buffer.AsSpan(0, length);
            if (hasReference)
            {
                AppendCollapsed(text, WebUtility.HtmlDecode(new string(stripped)));
            }
            else
            {
                AppendCollapsed(text, stripped);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Copies the text outside tags into <paramref name="output"/> (which holds at least
    /// <paramref name="html"/>'s length: the result is never longer) and returns its length.
    /// A "&lt;" with no "&gt;" after it is text, as browsers show it.
    /// </summary>
    private static int Strip(ReadOnlySpan<char> html, char[] output, out bool hasReference)
    {
        var length = 0;
        hasReference = false;
        var i = 0;
        while (i < html.Length)
        {
            var rest = html[i..];
            var open = rest.IndexOf('<');
            var run = open < 0 ? rest : rest[..open];
            hasReference |= run.Contains('&');
            run.CopyTo(output.AsSpan(length));
            length += run.Length;
            if (open < 0)
            {
                break;
            }
            i += open;
            var close = html[(i + 1)..].IndexOf('>');
            if (close < 0)
            {
                // Not a tag: the rest is text.
                var tail = html[i..];
                hasReference |= tail.Contains('&');
                tail.CopyTo(output.AsSpan(length));
                length += tail.Length;
                break;
            }
            var tagEnd = i + 1 + close + 1;
            var element = RawTextElement(html[(i + 1)..]);
            if (element is not null && FindEndTag(html[tagEnd..], element) is var end and >= 0)
            {
                // <script>/<style>: their content is code, not text.
                tagEnd += end;
            }
            output[length++] = ' ';
            i = tagEnd;
        }
        return length;
    }

    /// <summary>"script" or "style" when the tag starting here opens one of them (any case, any attributes).</summary>
    private static string? RawTextElement(ReadOnlySpan<char> tag)
    {
        if (tag.StartsWith("script", StringComparison.OrdinalIgnoreCase))
        {
            return "script";
        }
        return tag.StartsWith("style", StringComparison.OrdinalIgnoreCase) ? "style" : null;
    }

    /// <summary>The offset just past "&lt;/name&gt;" (spaces allowed before "&gt;") in <paramref name="html"/>, or -1.</summary>
    private static int FindEndTag(ReadOnlySpan<char> html, string name)
    {
        var offset = 0;
        while (true)
        {
            var at = html[offset..].IndexOf("</", StringComparison.Ordinal);
            if (at < 0)
            {
                return -1;
            }
            var start = offset + at + 2;
            if (html[start..].StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                var j = start + name.Length;
                while (j < html.Length && char.IsWhiteSpace(html[j]))
                {
                    j++;
                }
                if (j < html.Length && html[j] == '>')
                {
                    return j + 1;
                }
            }
            offset = start;
        }
    }

    /// <summary>Appends with each run of spaces and tabs as one space, leading and trailing white space dropped.</summary>
    private static void AppendCollapsed(StringBuilder text, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        while (!value.IsEmpty)
        {
            var blank = value.IndexOfAny(' ', '\t');
            if (blank < 0)
            {
                text.Append(value);
                return;
            }
            text.Append(value[..blank]).Append(' ');
            var next = blank + 1;
            while (next < value.Length && value[next] is ' ' or '\t')
            {
                next++;
            }
            value = value[next..];
        }
    }
}
