using System.Text;
using Letterbox.Store;

namespace Letterbox.Imap.Protocol;

public static partial class CommandParser
{
    private static readonly FetchItem[] s_fast =
        [new FetchSimple(FetchAttribute.Flags), new FetchSimple(FetchAttribute.InternalDate), new FetchSimple(FetchAttribute.Rfc822Size)];

    private static readonly FetchItem[] s_all = [.. s_fast, new FetchSimple(FetchAttribute.Envelope)];

    private static readonly FetchItem[] s_full = [.. s_all, new FetchSimple(FetchAttribute.Body)];

    /// <summary>
    /// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
    /// [fetch-modifiers] (RFC 9051 §6.4.5, RFC 4466 §2.4, RFC 7162 §3.1.4).
    /// </summary>
    private static ImapCommand? Fetch(CommandReader r, string tag, bool uid)
    {
        if (!r.Space() || !r.ReadSequenceSet(out var set) || !r.Space())
        {
            return null;
        }
        var items = new List<FetchItem>();
        if (r.Peek() == '(')
        {
            if (!r.Open())
            {
                return null;
            }
            do
            {
                if (!ReadFetchAttribute(r, items) || !r.CheckCount(items.Count, "FETCH items"))
                {
                    return null;
                }
            }
            while (r.TryConsume((byte)' '));
            if (!r.Close())
            {
                return null;
            }
        }
        else if (r.TryConsumeWord("ALL"))
        {
            items.AddRange(s_all);
        }
        else if (r.TryConsumeWord("FAST"))
        {
            items.AddRange(s_fast);
        }
        else if (r.TryConsumeWord("FULL"))
        {
            items.AddRange(s_full);
        }
        else if (!ReadFetchAttribute(r, items))
        {
            return null;
        }

        ulong? changedSince = null;
        bool vanished = false;
        if (r.TryConsume((byte)' '))
        {
            if (!r.Open())
            {
                return null;
            }
            do
            {
                if (r.TryConsumeWord("CHANGEDSINCE"))
                {
                    if (!r.Space() || !r.ReadModSeq("a mod-sequence value", out ulong value))
                    {
                        return null;
                    }
                    if (value == 0)
                    {
                        // mod-sequence-value is positive (RFC 7162 §7).
                        r.Fail("CHANGEDSINCE must be greater than 0");
                        return null;
                    }
                    changedSince = value;
                }
                else if (r.TryConsumeWord("VANISHED"))
                {
                    vanished = true;
                }
                else
                {
                    r.Fail("Unknown FETCH modifier");
                    return null;
                }
            }
            while (r.TryConsume((byte)' '));
            if (!r.Close())
            {
                return null;
            }
        }
        if (vanished && (!uid || changedSince is null))
        {
            // RFC 7162 §3.2.6: VANISHED only in UID FETCH and only with CHANGEDSINCE.
            r.Fail("VANISHED requires UID FETCH and CHANGEDSINCE");
            return null;
        }
        if (!r.End())
        {
            return null;
        }
        return new FetchCommand(tag, uid, set, items, changedSince) { Vanished = vanished };
    }

    private static bool ReadFetchAttribute(CommandReader r, List<FetchItem> items)
    {
        var word = r.ReadKeyword();
        if (word.IsEmpty)
        {
            return r.Unexpected("a FETCH item");
        }
        string name = Upper(word);
        FetchAttribute? simple = name switch
        {
            "FLAGS" => FetchAttribute.Flags,
            "INTERNALDATE" => FetchAttribute.InternalDate,
            "RFC822.SIZE" => FetchAttribute.Rfc822Size,
            "ENVELOPE" => FetchAttribute.Envelope,
            "BODYSTRUCTURE" => FetchAttribute.BodyStructure,
            "UID" => FetchAttribute.Uid,
            "MODSEQ" => FetchAttribute.ModSeq,
            "EMAILID" => FetchAttribute.EmailId,
            "THREADID" => FetchAttribute.ThreadId,
            "SAVEDATE" => FetchAttribute.SaveDate,
            "RFC822" => FetchAttribute.Rfc822,
            "RFC822.HEADER" => FetchAttribute.Rfc822Header,
            "RFC822.TEXT" => FetchAttribute.Rfc822Text,
            "BODY" when r.Peek() != '[' => FetchAttribute.Body,
            _ => null,
        };
        if (simple is { } attribute)
        {
            items.Add(new FetchSimple(attribute));
            return true;
        }
        switch (name)
        {
            case "BODY" or "BODY.PEEK":
            {
                if (!ReadSection(r, out var section) || !ReadPartial(r, out long? offset, out long? length))
                {
                    return false;
                }
                items.Add(new FetchSection(name == "BODY.PEEK", false, section, offset, length));
                return true;
            }
            case "BINARY" or "BINARY.PEEK":
            {
                if (!ReadBinarySection(r, out var part) || !ReadPartial(r, out long? offset, out long? length))
                {
                    return false;
                }
                items.Add(new FetchSection(name == "BINARY.PEEK", true, new SectionSpec(part, SectionText.None, []), offset, length));
                return true;
            }
            case "BINARY.SIZE":
            {
                if (!ReadBinarySection(r, out var part))
                {
                    return false;
                }
                items.Add(new FetchBinarySize(part));
                return true;
            }
            default:
                return r.Fail($"Unknown FETCH item {Encoding.ASCII.GetString(word)}");
        }
    }

    /// <summary>
    /// section = "[" [section-spec] "]"; section-spec = section-msgtext / (section-part ["." section-text]);
    /// section-text = section-msgtext / "MIME" (RFC 9051 §9).
    /// </summary>
    private static bool ReadSection(CommandReader r, out SectionSpec section)
    {
        section = SectionSpec.Whole;
        if (!r.Expect((byte)'[', "'['"))
        {
            return false;
        }
        var part = new List<int>();
        var text = SectionText.None;
        List<string> fields = [];
        if (r.Peek() is >= '0' and <= '9')
        {
            if (!ReadSectionPart(r, part))
            {
                return false;
            }
        }
        if (part.Count == 0 || r.TryConsume((byte)'.'))
        {
            if (r.Peek() != ']' || part.Count > 0)
            {
                var word = Upper(r.ReadKeyword());
                switch (word)
                {
                    case "HEADER":
                        text = SectionText.Header;
                        break;
                    case "TEXT":
                        text = SectionText.Text;
                        break;
                    case "MIME" when part.Count > 0:
                        text = SectionText.Mime;
                        break;
                    case "HEADER.FIELDS" or "HEADER.FIELDS.NOT":
                        text = word == "HEADER.FIELDS" ? SectionText.HeaderFields : SectionText.HeaderFieldsNot;
                        if (!r.Space() || !ReadHeaderList(r, fields))
                        {
                            return false;
                        }
                        break;
                    default:
                        return r.Fail("Invalid section specifier");
                }
            }
        }
        if (!r.Expect((byte)']', "']' to end the section"))
        {
            return false;
        }
        section = part.Count == 0 && text == SectionText.None ? SectionSpec.Whole : new SectionSpec(part, text, fields);
        return true;
    }

    /// <summary>section-part = nz-number *("." nz-number); stops before "." followed by a non-digit.</summary>
    private static bool ReadSectionPart(CommandReader r, List<int> part)
    {
        while (true)
        {
            if (!r.ReadNzNumber("a part number", out uint number))
            {
                return false;
            }
            if (number > int.MaxValue)
            {
                return r.Fail("Part number too large");
            }
            part.Add((int)number);
            if (!r.CheckCount(part.Count, "part numbers"))
            {
                return false;
            }
            if (r.Peek() == '.' && r.PeekAt(1) is >= '0' and <= '9')
            {
                r.TryConsume((byte)'.');
                continue;
            }
            return true;
        }
    }

    /// <summary>section-binary = "[" [section-part] "]" (RFC 9051 §9, RFC 3516).</summary>
    private static bool ReadBinarySection(CommandReader r, out IReadOnlyList<int> part)
    {
        var numbers = new List<int>();
        part = numbers;
        if (!r.Expect((byte)'[', "'['"))
        {
            return false;
        }
        if (r.Peek() != ']' && !ReadSectionPart(r, numbers))
        {
            return false;
        }
        return r.Expect((byte)']', "']' to end the section");
    }

    /// <summary>header-list = "(" header-fld-name *(SP header-fld-name) ")".</summary>
    private static bool ReadHeaderList(CommandReader r, List<string> fields)
    {
        if (!r.Open())
        {
            return false;
        }
        do
        {
            if (!r.ReadAString("a header field name", out var field))
            {
                return false;
            }
            fields.Add(field);
            if (!r.CheckCount(fields.Count, "header field names"))
            {
                return false;
            }
        }
        while (r.TryConsume((byte)' '));
        return r.Close();
    }

    /// <summary>partial = "&lt;" number64 "." nz-number64 "&gt;".</summary>
    private static bool ReadPartial(CommandReader r, out long? offset, out long? length)
    {
        offset = null;
        length = null;
        if (!r.TryConsume((byte)'<'))
        {
            return true;
        }
        if (!r.ReadNumber64("a partial offset", out long o) || !r.Expect((byte)'.', "'.' in the partial range")
            || !r.ReadNumber64("a partial length", out long n) || !r.Expect((byte)'>', "'>'"))
        {
            return false;
        }
        if (n == 0)
        {
            return r.Fail("The partial length must not be 0");
        }
        offset = o;
        length = n;
        return true;
    }

    /// <summary>
    /// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags (RFC 9051 §6.4.6, RFC 7162 §3.1.3);
    /// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))).
    /// </summary>
    private static ImapCommand? Store(CommandReader r, string tag, bool uid)
    {
        if (!r.Space() || !r.ReadSequenceSet(out var set) || !r.Space())
        {
            return null;
        }
        ulong? unchangedSince = null;
        if (r.Peek() == '(')
        {
            if (!r.Open())
            {
                return null;
            }
            do
            {
                if (!r.TryConsumeWord("UNCHANGEDSINCE"))
                {
                    r.Fail("Unknown STORE modifier");
                    return null;
                }
                if (!r.Space() || !r.ReadModSeq("a mod-sequence value", out ulong value))
                {
                    return null;
                }
                unchangedSince = value;
            }
            while (r.TryConsume((byte)' '));
            if (!r.Close() || !r.Space())
            {
                return null;
            }
        }
        var operation = r.TryConsume((byte)'+') ? FlagOperation.Add : r.TryConsume((byte)'-') ? FlagOperation.Remove : FlagOperation.Replace;
        var word = Upper(r.ReadKeyword());
        if (word is not ("FLAGS" or "FLAGS.SILENT"))
        {
            r.Fail("Expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT)");
            return null;
        }
        if (!r.Space())
        {
            return null;
        }
        var flags = new List<string>();
        if (r.Peek() == '(')
        {
            if (!ReadFlagList(r, flags, "flags"))
            {
                return null;
            }
        }
        else
        {
            do
            {
                if (!ReadFlag(r, flags) || !r.CheckCount(flags.Count, "flags"))
                {
                    return null;
                }
            }
            while (r.TryConsume((byte)' '));
        }
        return r.End() ? new StoreCommand(tag, uid, set, operation, word == "FLAGS.SILENT", flags, unchangedSince) : null;
    }
}
