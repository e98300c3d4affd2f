using System.Buffers;
using System.Text;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// Reads the tag and command name from a command's first line before any literal is accepted,
/// so the session can choose the literal limit (APPEND or not) and answer BAD with the right tag.
/// </summary>
public static class CommandPeek
{
    /// <summary>The longest tag accepted when no <see cref="ParserLimits"/> are given.</summary>
    public const int DefaultMaxTagLength = 64;

    /// <summary>
    /// Returns false when the line does not start with a valid tag (then <paramref name="tag"/> is "*").
    /// <paramref name="name"/> is null when the command is missing or unknown; <paramref name="uid"/>
    /// is true for "UID FETCH" and the other UID forms.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> firstLine, out string tag, out CommandName? name, out bool uid)
        => TryRead(firstLine, DefaultMaxTagLength, out tag, out name, out uid);

    /// <summary>
    /// <see cref="TryRead(ReadOnlySpan{byte}, int, out string, out CommandName?, out bool)"/> over a line as the
    /// framer returns it (only its first octets are looked at).
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> firstLine, int maxTagLength, out string tag, out CommandName? name, out bool uid)
    {
        if (firstLine.IsSingleSegment)
        {
            return TryRead(firstLine.FirstSpan, maxTagLength, out tag, out name, out uid);
        }
        // Tag, SP, "UID", SP and the longest command name, plus one octet to see where the name ends.
        int needed = (int)Math.Min(firstLine.Length, (long)maxTagLength + 1 + 4 + 16 + 1);
        var head = needed <= 256 ? stackalloc byte[needed] : new byte[needed];
        firstLine.Slice(0, needed).CopyTo(head);
        return TryRead(head, maxTagLength, out tag, out name, out uid);
    }

    /// <inheritdoc cref="TryRead(ReadOnlySpan{byte}, out string, out CommandName?, out bool)"/>
    public static bool TryRead(ReadOnlySpan<byte> firstLine, int maxTagLength, out string tag, out CommandName? name, out bool uid)
    {
        name = null;
        uid = false;
        int tagLength = ImapChars.TagLength(firstLine);
        if (tagLength == 0 || tagLength > maxTagLength || (tagLength < firstLine.Length && firstLine[tagLength] != (byte)' '))
        {
            tag = "*";
            return false;
        }
        tag = Encoding.ASCII.GetString(firstLine[..tagLength]);
        if (tagLength >= firstLine.Length)
        {
            return true;
        }
        var rest = firstLine[(tagLength + 1)..];
        var word = NextWord(ref rest);
        if (word.Length == 3 && Ascii.EqualsIgnoreCase(word, "UID"u8))
        {
            uid = true;
            word = NextWord(ref rest);
            name = CommandNames.Find(word) is { } n && CommandNames.AllowsUid(n) ? n : null;
            return true;
        }
        name = CommandNames.Find(word);
        return true;
    }

    private static ReadOnlySpan<byte> NextWord(ref ReadOnlySpan<byte> rest)
    {
        int end = rest.IndexOfAny((byte)' ', (byte)'(', (byte)'{');
        if (end < 0)
        {
            end = rest.Length;
        }
        var word = rest[..end];
        rest = end < rest.Length && rest[end] == (byte)' ' ? rest[(end + 1)..] : rest[end..];
        return word;
    }
}

/// <summary>The command table of the grammar: wire names to <see cref="CommandName"/>.</summary>
internal static class CommandNames
{
    private static readonly (string Word, CommandName Name)[] s_table =
    [
        ("CAPABILITY", CommandName.Capability), ("NOOP", CommandName.Noop), ("LOGOUT", CommandName.Logout),
        ("STARTTLS", CommandName.StartTls), ("AUTHENTICATE", CommandName.Authenticate), ("LOGIN", CommandName.Login),
        ("ENABLE", CommandName.Enable), ("SELECT", CommandName.Select), ("EXAMINE", CommandName.Examine),
        ("CREATE", CommandName.Create), ("DELETE", CommandName.Delete), ("RENAME", CommandName.Rename),
        ("SUBSCRIBE", CommandName.Subscribe), ("UNSUBSCRIBE", CommandName.Unsubscribe), ("LIST", CommandName.List),
        ("LSUB", CommandName.Lsub), ("NAMESPACE", CommandName.Namespace), ("STATUS", CommandName.Status),
        ("APPEND", CommandName.Append), ("IDLE", CommandName.Idle), ("CHECK", CommandName.Check),
        ("CLOSE", CommandName.Close), ("UNSELECT", CommandName.Unselect), ("EXPUNGE", CommandName.Expunge),
        ("SEARCH", CommandName.Search), ("FETCH", CommandName.Fetch), ("STORE", CommandName.Store),
        ("COPY", CommandName.Copy), ("MOVE", CommandName.Move), ("ID", CommandName.Id),
        ("GETQUOTA", CommandName.GetQuota), ("GETQUOTAROOT", CommandName.GetQuotaRoot), ("SETQUOTA", CommandName.SetQuota),
    ];

    public static CommandName? Find(ReadOnlySpan<byte> word)
    {
        foreach (var (w, n) in s_table)
        {
            if (word.Length == w.Length && Ascii.EqualsIgnoreCase(word, w))
            {
                return n;
            }
        }
        return null;
    }

    /// <summary>RFC 9051 §6.4.9 uid: COPY, MOVE, FETCH, SEARCH, STORE; RFC 4315 UID EXPUNGE.</summary>
    public static bool AllowsUid(CommandName name) => name is CommandName.Copy or CommandName.Move or CommandName.Fetch
        or CommandName.Search or CommandName.Store or CommandName.Expunge;
}
