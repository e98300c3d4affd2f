using System.Text;

namespace Letterbox.Smtp.Authentication;

/// <summary>A byte range of the message to leave out when it is stored.</summary>
public readonly record struct ByteRange(long Offset, long Length);

/// <summary>
/// RFC 8601 §5: an Authentication-Results field that arrives bearing our own authserv-id was not
/// written by us and would be trusted by our users' clients; it is removed before the message is
/// stored. Fields with other authserv-ids are left alone (they are someone else's claims).
/// </summary>
public static class ForgedAuthenticationResults
{
    /// <summary>How much of the message's start is scanned for header fields; fields past it are not looked at.</summary>
    public const int MaxHeaderScan = 1024 * 1024;

    /// <summary>Reads the header block from the start of <paramref name="content"/> (up to <see cref="MaxHeaderScan"/>) and finds forged fields; the stream is left at position 0.</summary>
    public static async Task<IReadOnlyList<ByteRange>> FindAsync(Stream content, string authservId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        content.Position = 0;
        var buffer = new byte[(int)Math.Min(MaxHeaderScan, Math.Max(0, content.Length))];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await content.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        content.Position = 0;
        return Find(buffer.AsSpan(0, read), authservId);
    }

    /// <summary>The Authentication-Results fields of the header block in <paramref name="message"/> whose authserv-id is <paramref name="authservId"/>.</summary>
    public static IReadOnlyList<ByteRange> Find(ReadOnlySpan<byte> message, string authservId)
    {
        ArgumentNullException.ThrowIfNull(authservId);
        var found = new List<ByteRange>();
        var position = 0;
        while (position < message.Length)
        {
            var lineEnd = LineEnd(message, position);
            if (lineEnd < 0)
            {
                // An unterminated line at the scan limit: stop rather than guess.
                break;
            }
            if (lineEnd - position <= 2 && IsBlank(message[position..lineEnd]))
            {
                // RFC 5322 §2.1: the empty line ends the header.
                break;
            }
            // The field runs on over continuation lines (RFC 5322 §2.2.3 folding).
            var fieldEnd = lineEnd;
            while (fieldEnd < message.Length && message[fieldEnd] is (byte)' ' or (byte)'\t')
            {
                var next = LineEnd(message, fieldEnd);
                if (next < 0)
                {
                    return found;
                }
                fieldEnd = next;
            }
            var field = message[position..fieldEnd];
            var colon = field.IndexOf((byte)':');
            if (colon > 0 && Encoding.ASCII.GetString(field[..colon]).Trim().Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase)
                && string.Equals(AuthservId(Encoding.UTF8.GetString(field[(colon + 1)..])), authservId, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(new ByteRange(position, fieldEnd - position));
            }
            position = fieldEnd;
        }
        return found;
    }

    /// <summary>RFC 8601 §2.2: authserv-id is the first value of the field, after any comments and white space.</summary>
    public static string AuthservId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var i = 0;
        var depth = 0;
        while (i < value.Length && (depth > 0 || char.IsWhiteSpace(value[i]) || value[i] == '('))
        {
            depth += value[i] == '(' ? 1 : value[i] == ')' ? -1 : 0;
            i++;
        }
        var start = i;
        if (i < value.Length && value[i] == '"')
        {
            var close = value.IndexOf('"', i + 1);
            return close < 0 ? value[(i + 1)..] : value[(i + 1)..close];
        }
        while (i < value.Length && !char.IsWhiteSpace(value[i]) && value[i] is not ';' and not '(')
        {
            i++;
        }
        return value[start..i];
    }

    /// <summary>The index just past the line's LF (bare LF tolerated), or -1 when the line does not end in the span.</summary>
    private static int LineEnd(ReadOnlySpan<byte> message, int start)
    {
        var lf = message[start..].IndexOf((byte)'\n');
        return lf < 0 ? -1 : start + lf + 1;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Length == 1 ? line[0] == '\n' : line[0] == '\r' && line[1] == '\n';
}
