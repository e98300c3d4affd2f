using System.Text;

namespace Letterbox.Imap.Protocol;

public static partial class CommandParser
{
    /// <summary>
    /// search = "SEARCH" [search-return-opts] SP search-program (RFC 9051 §6.4.4, RFC 4466 §2.6);
    /// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key).
    /// </summary>
    private static ImapCommand? Search(CommandReader r, string tag, bool uid)
    {
        if (!r.Space())
        {
            return null;
        }
        SearchReturn? returns = null;
        if (r.TryConsumeWord("RETURN"))
        {
            if (!r.Space() || !ReadSearchReturn(r, out var options) || !r.Space())
            {
                return null;
            }
            returns = options;
        }
        string? charset = null;
        if (r.TryConsumeWord("CHARSET"))
        {
            // charset = atom / quoted
            if (!r.Space())
            {
                return null;
            }
            if (r.Peek() == '"' ? !r.ReadString("a charset", out charset) : !r.ReadAtom("a charset", out charset))
            {
                return null;
            }
            if (!charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 9051 §6.4.4: an unsupported charset is a tagged NO with BADCHARSET, not BAD.
                r.FailNo("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
                return null;
            }
            charset = charset.ToUpperInvariant();
            if (!r.Space())
            {
                return null;
            }
        }
        var keys = new List<SearchKey>();
        int count = 0;
        do
        {
            if (!ReadSearchKey(r, ref count, out var key))
            {
                return null;
            }
            keys.Add(key);
        }
        while (r.TryConsume((byte)' '));
        if (!r.End())
        {
            return null;
        }
        return new SearchCommand(tag, uid, charset, keys.Count == 1 ? keys[0] : new SearchAnd(keys), returns);
    }

    /// <summary>search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" (RFC 4731, RFC 5182).</summary>
    private static bool ReadSearchReturn(CommandReader r, out SearchReturn options)
    {
        options = SearchReturn.None;
        if (!r.Open())
        {
            return false;
        }
        if (r.Peek() != ')')
        {
            do
            {
                var word = r.ReadKeyword();
                SearchReturn option = Upper(word) switch
                {
                    "MIN" => SearchReturn.Min,
                    "MAX" => SearchReturn.Max,
                    "ALL" => SearchReturn.All,
                    "COUNT" => SearchReturn.Count,
                    "SAVE" => SearchReturn.Save,
                    _ => SearchReturn.None,
                };
                if (option == SearchReturn.None)
                {
                    return word.IsEmpty ? r.Unexpected("a SEARCH return option") : r.Fail($"Unknown SEARCH return option {Upper(word)}");
                }
                options |= option;
            }
            while (r.TryConsume((byte)' '));
        }
        return r.Close();
    }

    private static bool ReadSearchKey(CommandReader r, ref int count, out SearchKey key)
    {
        key = SearchAll.Instance;
        if (!r.CheckCount(++count, "search keys"))
        {
            return false;
        }
        int b = r.Peek();
        if (b == '(')
        {
            if (!r.Open())
            {
                return false;
            }
            var keys = new List<SearchKey>();
            do
            {
                if (!ReadSearchKey(r, ref count, out var inner))
                {
                    return false;
                }
                keys.Add(inner);
            }
            while (r.TryConsume((byte)' '));
            if (!r.Close())
            {
                return false;
            }
            key = keys.Count == 1 ? keys[0] : new SearchAnd(keys);
            return true;
        }
        if (b is (>= '0' and <= '9') or '*' or '$')
        {
            if (!r.ReadSequenceSet(out var set))
            {
                return false;
            }
            key = new SearchSet(set, false);
            return true;
        }
        var word = r.ReadKeyword();
        if (word.IsEmpty)
        {
            return r.Unexpected("a search key");
        }
        string name = Upper(word);
        switch (name)
        {
            case "ALL":
                key = SearchAll.Instance;
                return true;
            case "ANSWERED" or "DELETED" or "DRAFT" or "FLAGGED" or "SEEN":
                key = new SearchFlag(SystemFlag(name), true);
                return true;
            case "UNANSWERED" or "UNDELETED" or "UNDRAFT" or "UNFLAGGED" or "UNSEEN":
                key = new SearchFlag(SystemFlag(name[2..]), false);
                return true;
            case "RECENT":
                key = new SearchFlag("\\Recent", true);
                return true;
            case "OLD":
                key = new SearchFlag("\\Recent", false);
                return true;
            case "NEW":
                // RFC 3501 §6.4.4: NEW is equivalent to (RECENT UNSEEN).
                key = new SearchAnd([new SearchFlag("\\Recent", true), new SearchFlag("\\Seen", false)]);
                return true;
            case "KEYWORD" or "UNKEYWORD":
            {
                // flag-keyword = atom
                if (!r.Space() || !r.ReadAtom("a keyword", out var keyword))
                {
                    return false;
                }
                key = new SearchFlag(keyword, name == "KEYWORD");
                return true;
            }
            case "BEFORE" or "ON" or "SINCE" or "SENTBEFORE" or "SENTON" or "SENTSINCE" or "SAVEDBEFORE" or "SAVEDON" or "SAVEDSINCE":
            {
                if (!r.Space() || !r.ReadDate(out var date))
                {
                    return false;
                }
                var field = name.StartsWith("SENT", StringComparison.Ordinal) ? SearchDateField.Sent
                    : name.StartsWith("SAVED", StringComparison.Ordinal) ? SearchDateField.Saved : SearchDateField.Internal;
                var comparison = name.EndsWith("BEFORE", StringComparison.Ordinal) ? SearchDateComparison.Before
                    : name.EndsWith("ON", StringComparison.Ordinal) ? SearchDateComparison.On : SearchDateComparison.Since;
                key = new SearchDate(field, comparison, date);
                return true;
            }
            case "BCC" or "CC" or "FROM" or "SUBJECT" or "TO":
            {
                if (!r.Space() || !r.ReadAString("a search string", out var value))
                {
                    return false;
                }
                key = new SearchHeader(HeaderName(name), value);
                return true;
            }
            case "HEADER":
            {
                if (!r.Space() || !r.ReadAString("a header field name", out var field) || !r.Space() || !r.ReadAString("a search string", out var value))
                {
                    return false;
                }
                key = new SearchHeader(field, value);
                return true;
            }
            case "BODY" or "TEXT":
            {
                if (!r.Space() || !r.ReadAString("a search string", out var value))
                {
                    return false;
                }
                key = new SearchText(name == "TEXT", value);
                return true;
            }
            case "LARGER" or "SMALLER":
            {
                if (!r.Space() || !r.ReadNumber64("a size", out long size))
                {
                    return false;
                }
                key = new SearchSize(name == "LARGER", size);
                return true;
            }
            case "UID":
            {
                if (!r.Space() || !r.ReadSequenceSet(out var set))
                {
                    return false;
                }
                key = new SearchSet(set, true);
                return true;
            }
            case "NOT":
            {
                if (!r.Space() || !EnterNested(r) || !ReadSearchKey(r, ref count, out var inner))
                {
                    return false;
                }
                LeaveNested(r);
                key = new SearchNot(inner);
                return true;
            }
            case "OR":
            {
                if (!r.Space() || !EnterNested(r) || !ReadSearchKey(r, ref count, out var left) || !r.Space() || !ReadSearchKey(r, ref count, out var right))
                {
                    return false;
                }
                LeaveNested(r);
                key = new SearchOr(left, right);
                return true;
            }
            case "OLDER" or "YOUNGER":
            {
                // RFC 5032: older = "OLDER" SP nz-number
                if (!r.Space() || !r.ReadNzNumber("a number of seconds", out uint seconds))
                {
                    return false;
                }
                key = new SearchWithin(name == "OLDER", seconds);
                return true;
            }
            case "MODSEQ":
                return ReadSearchModSeq(r, out key);
            case "SAVEDATESUPPORTED":
                key = SearchSaveDateSupported.Instance;
                return true;
            case "EMAILID" or "THREADID":
            {
                // RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-")
                if (!r.Space())
                {
                    return false;
                }
                var id = r.ReadWhile(static b => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')
                    or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'-');
                if (id.IsEmpty || id.Length > 255)
                {
                    return r.Fail("Invalid object id (1 to 255 letters, digits, '_' or '-')");
                }
                key = new SearchObjectId(name == "THREADID", Encoding.ASCII.GetString(id));
                return true;
            }
            default:
                return r.Fail($"Unknown search key {Encoding.ASCII.GetString(word)}");
        }
    }

    /// <summary>
    /// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer (RFC 7162 §3.1.5);
    /// search-modseq-ext = SP entry-name SP entry-type-req. The metadata entry is accepted and ignored,
    /// as Letterbox keeps one MODSEQ per message.
    /// </summary>
    private static bool ReadSearchModSeq(CommandReader r, out SearchKey key)
    {
        key = SearchAll.Instance;
        if (!r.Space())
        {
            return false;
        }
        if (r.Peek() == '"')
        {
            if (!r.ReadString("an entry name", out _) || !r.Space())
            {
                return false;
            }
            var type = Upper(r.ReadKeyword());
            if (type is not ("PRIV" or "SHARED" or "ALL"))
            {
                return r.Fail("Expected priv, shared or all after the MODSEQ entry name");
            }
            if (!r.Space())
            {
                return false;
            }
        }
        if (!r.ReadModSeq("a mod-sequence value", out ulong modSeq))
        {
            return false;
        }
        key = new SearchModSeq(modSeq);
        return true;
    }

    // NOT and OR nest without parentheses; they count toward the depth limit all the same,
    // so "NOT NOT NOT ..." cannot recurse without bound.
    private static bool EnterNested(CommandReader r) => r.EnterDepth();

    private static void LeaveNested(CommandReader r) => r.LeaveDepth();

    private static string SystemFlag(string upper) => upper switch
    {
        "ANSWERED" => "\\Answered",
        "DELETED" => "\\Deleted",
        "DRAFT" => "\\Draft",
        "FLAGGED" => "\\Flagged",
        _ => "\\Seen",
    };

    private static string HeaderName(string upper) => upper switch
    {
        "BCC" => "Bcc",
        "CC" => "Cc",
        "FROM" => "From",
        "SUBJECT" => "Subject",
        _ => "To",
    };
}
