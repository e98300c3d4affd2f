namespace Letterbox.Imap.Protocol;

public static partial class CommandParser
{
    /// <summary>
    /// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    /// (RFC 9051 §6.3.9, RFC 5258 §3, RFC 6154, RFC 5819).
    /// </summary>
    private static ImapCommand? List(CommandReader r, string tag)
    {
        if (!r.Space())
        {
            return null;
        }
        var selection = ListSelection.None;
        if (r.Peek() == '(')
        {
            if (!ReadListSelection(r, out selection) || !r.Space())
            {
                return null;
            }
        }
        if (!r.ReadAString("a reference name", out var reference) || !r.Space())
        {
            return null;
        }
        var patterns = new List<string>();
        if (r.Peek() == '(')
        {
            if (!r.Open())
            {
                return null;
            }
            do
            {
                if (!r.ReadListMailbox(out var pattern))
                {
                    return null;
                }
                patterns.Add(pattern);
                if (!r.CheckCount(patterns.Count, "LIST patterns"))
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
        else
        {
            if (!r.ReadListMailbox(out var pattern))
            {
                return null;
            }
            patterns.Add(pattern);
        }
        var returns = ListReturn.None;
        List<StatusItem> statusItems = [];
        if (r.TryConsume((byte)' '))
        {
            if (!r.TryConsumeWord("RETURN"))
            {
                r.Unexpected("RETURN");
                return null;
            }
            if (!r.Space() || !ReadListReturn(r, out returns, out statusItems))
            {
                return null;
            }
        }
        return r.End() ? new ListCommand(tag, CommandName.List, reference, patterns, selection, returns, statusItems) : null;
    }

    /// <summary>list-select-opts (RFC 5258 §3.1): RECURSIVEMATCH needs a base option; unknown options are BAD.</summary>
    private static bool ReadListSelection(CommandReader r, out ListSelection selection)
    {
        selection = ListSelection.None;
        if (!r.Open())
        {
            return false;
        }
        if (r.Peek() != ')')
        {
            do
            {
                var word = r.ReadKeyword();
                ListSelection option = Upper(word) switch
                {
                    "SUBSCRIBED" => ListSelection.Subscribed,
                    "REMOTE" => ListSelection.Remote,
                    "RECURSIVEMATCH" => ListSelection.RecursiveMatch,
                    "SPECIAL-USE" => ListSelection.SpecialUse,
                    _ => ListSelection.None,
                };
                if (option == ListSelection.None)
                {
                    return word.IsEmpty ? r.Unexpected("a LIST selection option") : r.Fail($"Unknown LIST selection option {Upper(word)}");
                }
                selection |= option;
            }
            while (r.TryConsume((byte)' '));
        }
        if (!r.Close())
        {
            return false;
        }
        if (selection.HasFlag(ListSelection.RecursiveMatch) && (selection & (ListSelection.Subscribed | ListSelection.SpecialUse)) == 0)
        {
            return r.Fail("RECURSIVEMATCH requires another selection option such as SUBSCRIBED");
        }
        return true;
    }

    /// <summary>list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")".</summary>
    private static bool ReadListReturn(CommandReader r, out ListReturn returns, out List<StatusItem> statusItems)
    {
        returns = ListReturn.None;
        statusItems = [];
        if (!r.Open())
        {
            return false;
        }
        if (r.Peek() != ')')
        {
            do
            {
                var word = r.ReadKeyword();
                switch (Upper(word))
                {
                    case "SUBSCRIBED":
                        returns |= ListReturn.Subscribed;
                        break;
                    case "CHILDREN":
                        returns |= ListReturn.Children;
                        break;
                    case "SPECIAL-USE":
                        returns |= ListReturn.SpecialUse;
                        break;
                    case "MYRIGHTS":
                        returns |= ListReturn.MyRights;
                        break;
                    case "STATUS":
                        // RFC 5819 §2: return-option =/ "STATUS" SP "(" status-att *(SP status-att) ")".
                        returns |= ListReturn.Status;
                        if (!r.Space() || !ReadStatusItems(r, out statusItems))
                        {
                            return false;
                        }
                        break;
                    default:
                        return word.IsEmpty ? r.Unexpected("a LIST return option") : r.Fail($"Unknown LIST return option {Upper(word)}");
                }
            }
            while (r.TryConsume((byte)' '));
        }
        return r.Close();
    }

    /// <summary>lsub = "LSUB" SP mailbox SP list-mailbox (RFC 3501 §6.3.9).</summary>
    private static ImapCommand? Lsub(CommandReader r, string tag)
    {
        if (r.Space() && r.ReadAString("a reference name", out var reference) && r.Space() && r.ReadListMailbox(out var pattern) && r.End())
        {
            return new ListCommand(tag, CommandName.Lsub, reference, [pattern], ListSelection.None, ListReturn.None, []);
        }
        return null;
    }

    /// <summary>
    /// append = "APPEND" SP mailbox 1*append-message (RFC 3502 MULTIAPPEND);
    /// append-message = SP [flag-list SP] [date-time SP] (literal / literal8) (RFC 3516).
    /// </summary>
    private static ImapCommand? Append(CommandReader r, string tag)
    {
        if (!r.Space() || !ReadMailbox(r, out var mailbox))
        {
            return null;
        }
        var messages = new List<(List<string>? Flags, DateTimeOffset? Date, ImapLiteral Literal, int Index, bool Binary)>();
        do
        {
            if (!r.Space())
            {
                return null;
            }
            List<string>? flags = null;
            if (r.Peek() == '(')
            {
                flags = [];
                if (!ReadFlagList(r, flags, "flags") || !r.Space())
                {
                    return null;
                }
            }
            DateTimeOffset? date = null;
            if (r.Peek() == '"')
            {
                if (!r.ReadDateTime(out var d) || !r.Space())
                {
                    return null;
                }
                date = d;
            }
            if (r.Peek() is not ('{' or '~'))
            {
                r.Unexpected("the message as a literal");
                return null;
            }
            if (!r.ReadLiteral(allowBinary: true, out var literal, out int index, out bool binary))
            {
                return null;
            }
            messages.Add((flags, date, literal, index, binary));
            if (!r.CheckCount(messages.Count, "APPEND messages"))
            {
                return null;
            }
        }
        while (!r.AtEnd);

        var result = new List<AppendMessage>(messages.Count);
        foreach (var (flags, date, literal, index, binary) in messages)
        {
            MessageLiteral content = literal.Message ?? new MemoryMessageLiteral(literal.Bytes!);
            r.Input.Take(index);
            result.Add(new AppendMessage(flags, date, content, binary));
        }
        return new AppendCommand(tag, mailbox, result);
    }
}
