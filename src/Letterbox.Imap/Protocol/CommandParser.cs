using System.Text;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// Parses a complete command (RFC 9051 §6, §9 and the extensions Letterbox advertises) into the
/// <see cref="ImapCommand"/> AST. Pure: no I/O beyond reading spooled literals used as strings.
/// Never throws on client input; mistakes come back as <see cref="ParseResult"/> errors.
/// </summary>
public static partial class CommandParser
{
    public static ParseResult Parse(CommandInput input, ParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(limits);
        if (input.Lines.Count == 0 || !input.IsComplete)
        {
            return ParseResult.Bad("*", "Incomplete command");
        }
        var first = input.Lines[0];
        int tagLength = ImapChars.TagLength(first);
        if (tagLength == 0)
        {
            return ParseResult.Bad("*", first.Length == 0 ? "Empty command line" : "Invalid tag");
        }
        if (tagLength > limits.MaxTagLength)
        {
            return ParseResult.Bad("*", $"Tag longer than {limits.MaxTagLength} characters");
        }
        string tag = Encoding.ASCII.GetString(first.AsSpan(0, tagLength));
        var r = new CommandReader(input, limits);
        r.ReadWhile(ImapChars.IsTagChar);
        if (!r.TryConsume((byte)' '))
        {
            return ParseResult.Bad(r.AtEnd ? tag : "*", r.AtEnd ? "Missing command" : "Invalid tag");
        }
        ImapCommand? command;
        try
        {
            command = ParseCommand(r, tag);
        }
        catch (IOException)
        {
            // Reading a spooled literal failed: a server problem, reported without throwing past the parser.
            return ParseResult.No(tag, "Could not read a literal");
        }
        if (command is null)
        {
            var text = r.Error ?? "Syntax error";
            return r.ErrorIsNo ? ParseResult.No(tag, text) : ParseResult.Bad(tag, text);
        }
        return ParseResult.Ok(command);
    }

    /// <summary>Parses with <see cref="ParserLimits.Default"/>.</summary>
    public static ParseResult Parse(CommandInput input) => Parse(input, ParserLimits.Default);

    private static ImapCommand? ParseCommand(CommandReader r, string tag)
    {
        var word = r.ReadKeyword();
        bool uid = false;
        if (word.Length == 3 && Ascii.EqualsIgnoreCase(word, "UID"u8))
        {
            if (!r.Space())
            {
                return null;
            }
            uid = true;
            word = r.ReadKeyword();
        }
        if (word.IsEmpty)
        {
            r.Unexpected("a command name");
            return null;
        }
        if (CommandNames.Find(word) is not { } name)
        {
            r.Fail($"Unknown command {Encoding.ASCII.GetString(word)}");
            return null;
        }
        if (uid && !CommandNames.AllowsUid(name))
        {
            r.Fail($"UID {name.ToString().ToUpperInvariant()} is not a command");
            return null;
        }
        return name switch
        {
            CommandName.Capability or CommandName.Noop or CommandName.Logout or CommandName.StartTls or CommandName.Namespace
                or CommandName.Idle or CommandName.Check or CommandName.Close or CommandName.Unselect => NoArguments(r, tag, name),
            CommandName.Expunge => Expunge(r, tag, uid),
            CommandName.Authenticate => Authenticate(r, tag),
            CommandName.Login => Login(r, tag),
            CommandName.Enable => Enable(r, tag),
            CommandName.Select or CommandName.Examine => Select(r, tag, name),
            CommandName.Create => Create(r, tag),
            CommandName.Delete or CommandName.Subscribe or CommandName.Unsubscribe => SimpleMailbox(r, tag, name),
            CommandName.Rename => Rename(r, tag),
            CommandName.List => List(r, tag),
            CommandName.Lsub => Lsub(r, tag),
            CommandName.Status => Status(r, tag),
            CommandName.Append => Append(r, tag),
            CommandName.Search => Search(r, tag, uid),
            CommandName.Fetch => Fetch(r, tag, uid),
            CommandName.Store => Store(r, tag, uid),
            CommandName.Copy or CommandName.Move => Copy(r, tag, name, uid),
            CommandName.Id => Id(r, tag),
            CommandName.GetQuota => r.Space() && r.ReadAString("a quota root", out var root) && r.End() ? new QuotaCommand(tag, name, root) : null,
            CommandName.GetQuotaRoot => r.Space() && ReadMailbox(r, out var mailbox) && r.End() ? new QuotaCommand(tag, name, mailbox) : null,
            CommandName.SetQuota => SetQuota(r, tag),
            _ => NoCommand(r, name),
        };
    }

    private static ImapCommand? NoCommand(CommandReader r, CommandName name)
    {
        r.Fail($"{name} is not parsed");
        return null;
    }

    private static ImapCommand? NoArguments(CommandReader r, string tag, CommandName name)
        => r.End() ? new ImapCommand(tag, name) : null;

    /// <summary>EXPUNGE; UID EXPUNGE SP sequence-set (RFC 4315 §2.1).</summary>
    private static ImapCommand? Expunge(CommandReader r, string tag, bool uid)
    {
        if (!uid)
        {
            return r.End() ? new ExpungeCommand(tag, false, null) : null;
        }
        return r.Space() && r.ReadSequenceSet(out var set) && r.End() ? new ExpungeCommand(tag, true, set) : null;
    }

    /// <summary>authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] (RFC 9051, RFC 4959).</summary>
    private static ImapCommand? Authenticate(CommandReader r, string tag)
    {
        if (!r.Space() || !r.ReadAtom("a SASL mechanism name", out var mechanism))
        {
            return null;
        }
        string? initial = null;
        if (r.TryConsume((byte)' '))
        {
            var response = r.ReadWhile(static b => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')
                or (>= (byte)'0' and <= (byte)'9') or (byte)'+' or (byte)'/' or (byte)'=');
            if (response.IsEmpty)
            {
                r.Unexpected("a base64 initial response or '='");
                return null;
            }
            if (response.Length == 1 && response[0] == '=')
            {
                initial = "";
            }
            else if (!IsBase64(response))
            {
                r.Fail("Invalid base64 in the initial response");
                return null;
            }
            else
            {
                initial = Encoding.ASCII.GetString(response);
            }
        }
        return r.End() ? new AuthenticateCommand(tag, mechanism.ToUpperInvariant(), initial) : null;
    }

    private static bool IsBase64(ReadOnlySpan<byte> text)
    {
        if (text.Length % 4 != 0)
        {
            return false;
        }
        int padding = text.EndsWith("=="u8) ? 2 : text.EndsWith("="u8) ? 1 : 0;
        return text[..^padding].IndexOf((byte)'=') < 0;
    }

    private static ImapCommand? Login(CommandReader r, string tag)
    {
        if (r.Space() && r.ReadAString("a user name", out var user) && r.Space() && r.ReadAString("a password", out var password) && r.End())
        {
            return new LoginCommand(tag, user, password);
        }
        return null;
    }

    /// <summary>enable = "ENABLE" 1*(SP capability).</summary>
    private static ImapCommand? Enable(CommandReader r, string tag)
    {
        var capabilities = new List<string>();
        do
        {
            if (!r.Space() || !r.ReadAtom("a capability name", out var capability))
            {
                return null;
            }
            capabilities.Add(capability.ToUpperInvariant());
            if (!r.CheckCount(capabilities.Count, "capabilities"))
            {
                return null;
            }
        }
        while (!r.AtEnd);
        return new EnableCommand(tag, capabilities);
    }

    /// <summary>mailbox = "INBOX" / astring; every case variant of INBOX is INBOX (RFC 9051 §5.1).</summary>
    internal static bool ReadMailbox(CommandReader r, out string mailbox)
    {
        if (!r.ReadAString("a mailbox name", out mailbox))
        {
            return false;
        }
        if (mailbox.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            mailbox = "INBOX";
        }
        return true;
    }

    /// <summary>select = "SELECT" SP mailbox [select-params] (RFC 4466 §2.1).</summary>
    private static ImapCommand? Select(CommandReader r, string tag, CommandName name)
    {
        if (!r.Space() || !ReadMailbox(r, out var mailbox))
        {
            return null;
        }
        var names = new List<string>();
        var parameters = new List<TaggedParameter>();
        if (r.TryConsume((byte)' '))
        {
            if (!ReadTaggedParameters(r, parameters))
            {
                return null;
            }
            names.AddRange(parameters.Select(p => p.Name));
        }
        QResyncParameter? qresync = null;
        if (parameters.Find(p => p.Name == "QRESYNC") is { } raw && !ReadQResync(r, raw.Value, out qresync))
        {
            return null;
        }
        return r.End() ? new SelectCommand(tag, name, mailbox, names) { ParameterValues = parameters, QResync = qresync } : null;
    }

    /// <summary>
    /// qresync-param = "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
    /// [SP seq-match-data] ")"; seq-match-data = "(" known-sequence-set SP known-uid-set ")"
    /// (RFC 7162 §7). The match data is checked for syntax and not kept: Letterbox remembers every
    /// expunge, so it never needs the client's hints (RFC 7162 §3.2.5.2).
    /// </summary>
    private static bool ReadQResync(CommandReader outer, string? value, out QResyncParameter? qresync)
    {
        qresync = null;
        if (value is null)
        {
            return outer.Fail("QRESYNC needs (uidvalidity modseq [known-uids])");
        }
        var r = new CommandReader(new CommandInput(Encoding.UTF8.GetBytes(value)), outer.Limits);
        if (!r.Open() || !r.ReadNzNumber("the last known UIDVALIDITY", out var uidValidity)
            || !r.Space() || !r.ReadModSeq("the last known mod-sequence", out var modSeq))
        {
            return outer.Fail("QRESYNC: " + r.Error);
        }
        if (modSeq == 0)
        {
            return outer.Fail("QRESYNC: the mod-sequence must be greater than 0");
        }
        SequenceSet? known = null;
        if (r.TryConsume((byte)' ') && r.Peek() != '(')
        {
            if (!r.ReadSequenceSet(out var set) || set.IsSavedResult || set.Ranges.Any(x => x.Start == SequenceRange.Star || x.End == SequenceRange.Star))
            {
                return outer.Fail("QRESYNC: " + (r.Error ?? "known UIDs must be numbers"));
            }
            known = set;
            r.TryConsume((byte)' ');
        }
        if (r.Peek() == '(')
        {
            if (!r.Open() || !r.ReadSequenceSet(out _) || !r.Space() || !r.ReadSequenceSet(out _) || !r.Close())
            {
                return outer.Fail("QRESYNC: " + r.Error);
            }
        }
        if (!r.Close() || !r.End())
        {
            return outer.Fail("QRESYNC: " + r.Error);
        }
        qresync = new QResyncParameter(uidValidity, modSeq, known);
        return true;
    }

    /// <summary>
    /// "(" tagged-ext-label [SP tagged-ext-val] *(SP ...) ")" (RFC 4466 §2.1, select-params / create-params).
    /// Values are kept as raw text; names are upper-cased.
    /// </summary>
    internal static bool ReadTaggedParameters(CommandReader r, List<TaggedParameter> parameters)
    {
        if (!r.Open())
        {
            return false;
        }
        if (r.Peek() == ')')
        {
            return r.Close();
        }
        do
        {
            var label = r.ReadWhile(static b => ImapChars.IsAtomChar(b));
            if (label.IsEmpty)
            {
                return r.Unexpected("a parameter name");
            }
            string paramName = Encoding.ASCII.GetString(label).ToUpperInvariant();
            string? value = null;
            if (r.TryConsume((byte)' ') && !ReadTaggedValue(r, out value))
            {
                return false;
            }
            parameters.Add(new TaggedParameter(paramName, value));
            if (!r.CheckCount(parameters.Count, "parameters"))
            {
                return false;
            }
        }
        while (r.TryConsume((byte)' '));
        return r.Close();
    }

    /// <summary>tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")" (RFC 4466 §2.1), returned as raw text.</summary>
    private static bool ReadTaggedValue(CommandReader r, out string value)
    {
        var sb = new StringBuilder();
        value = "";
        if (!ReadTaggedValueInto(r, sb))
        {
            return false;
        }
        value = sb.ToString();
        return true;
    }

    private static bool ReadTaggedValueInto(CommandReader r, StringBuilder sb)
    {
        if (r.Peek() == '(')
        {
            r.Open();
            if (r.Error is not null)
            {
                return false;
            }
            sb.Append('(');
            if (r.Peek() != ')')
            {
                do
                {
                    if (sb[^1] != '(')
                    {
                        sb.Append(' ');
                    }
                    if (!ReadTaggedValueInto(r, sb))
                    {
                        return false;
                    }
                }
                while (r.TryConsume((byte)' '));
            }
            sb.Append(')');
            return r.Close();
        }
        if (r.Peek() is '"' or '{')
        {
            if (!r.ReadString("a value", out var s))
            {
                return false;
            }
            sb.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            return true;
        }
        // tagged-ext-simple = sequence-set / number / number64, and astring in tagged-ext-comp.
        var simple = r.ReadWhile(static b => ImapChars.IsAStringChar(b) || b is (byte)'*' or (byte)'$');
        if (simple.IsEmpty)
        {
            return r.Unexpected("a parameter value");
        }
        sb.Append(Encoding.UTF8.GetString(simple));
        return true;
    }

    /// <summary>create = "CREATE" SP mailbox [create-params] (RFC 4466), with USE (RFC 6154 §3).</summary>
    private static ImapCommand? Create(CommandReader r, string tag)
    {
        if (!r.Space() || !ReadMailbox(r, out var mailbox))
        {
            return null;
        }
        List<string>? use = null;
        if (r.TryConsume((byte)' '))
        {
            if (!r.Open())
            {
                return null;
            }
            do
            {
                if (!r.TryConsumeWord("USE"))
                {
                    r.Fail("Unknown CREATE parameter (only USE is supported)");
                    return null;
                }
                if (use is not null)
                {
                    r.Fail("USE given twice");
                    return null;
                }
                use = [];
                if (!r.Space() || !ReadFlagList(r, use, "special-use attributes", allowKeywords: false))
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
        return r.End() ? new MailboxCommand(tag, CommandName.Create, mailbox, use) : null;
    }

    private static ImapCommand? SimpleMailbox(CommandReader r, string tag, CommandName name)
        => r.Space() && ReadMailbox(r, out var mailbox) && r.End() ? new MailboxCommand(tag, name, mailbox) : null;

    /// <summary>setquota = "SETQUOTA" SP quota-root SP setquota-list; setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")" (RFC 9208 §7).</summary>
    private static ImapCommand? SetQuota(CommandReader r, string tag)
    {
        if (!r.Space() || !r.ReadAString("a quota root", out var root) || !r.Space() || !r.Open())
        {
            return null;
        }
        var limits = new List<KeyValuePair<string, long>>();
        if (r.Peek() != ')')
        {
            do
            {
                if (!r.ReadAtom("a resource name", out var resource) || !r.Space() || !r.ReadNumber64("a resource limit", out var limit))
                {
                    return null;
                }
                limits.Add(KeyValuePair.Create(resource.ToUpperInvariant(), limit));
                if (!r.CheckCount(limits.Count, "quota resources"))
                {
                    return null;
                }
            }
            while (r.TryConsume((byte)' '));
        }
        return r.Close() && r.End() ? new SetQuotaCommand(tag, root, limits) : null;
    }

    private static ImapCommand? Rename(CommandReader r, string tag)
        => r.Space() && ReadMailbox(r, out var from) && r.Space() && ReadMailbox(r, out var to) && r.End()
            ? new RenameCommand(tag, from, to)
            : null;

    /// <summary>copy = "COPY" SP sequence-set SP mailbox; move likewise (RFC 6851).</summary>
    private static ImapCommand? Copy(CommandReader r, string tag, CommandName name, bool uid)
        => r.Space() && r.ReadSequenceSet(out var set) && r.Space() && ReadMailbox(r, out var mailbox) && r.End()
            ? new CopyCommand(tag, name, uid, set, mailbox)
            : null;

    /// <summary>status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")".</summary>
    private static ImapCommand? Status(CommandReader r, string tag)
    {
        if (!r.Space() || !ReadMailbox(r, out var mailbox) || !r.Space() || !ReadStatusItems(r, out var items))
        {
            return null;
        }
        return r.End() ? new StatusCommand(tag, mailbox, items) : null;
    }

    internal static bool ReadStatusItems(CommandReader r, out List<StatusItem> items)
    {
        items = [];
        if (!r.Open())
        {
            return false;
        }
        do
        {
            var word = r.ReadKeyword();
            StatusItem? item = Upper(word) switch
            {
                "MESSAGES" => StatusItem.Messages,
                "RECENT" => StatusItem.Recent,
                "UIDNEXT" => StatusItem.UidNext,
                "UIDVALIDITY" => StatusItem.UidValidity,
                "UNSEEN" => StatusItem.Unseen,
                "DELETED" => StatusItem.Deleted,
                "SIZE" => StatusItem.Size,
                "HIGHESTMODSEQ" => StatusItem.HighestModSeq,
                "APPENDLIMIT" => StatusItem.AppendLimit,
                "MAILBOXID" => StatusItem.MailboxId,
                _ => null,
            };
            if (item is null)
            {
                return word.IsEmpty ? r.Unexpected("a STATUS item") : r.Fail($"Unknown STATUS item {Encoding.ASCII.GetString(word)}");
            }
            if (!items.Contains(item.Value))
            {
                items.Add(item.Value);
            }
        }
        while (r.TryConsume((byte)' '));
        return r.Close();
    }

    /// <summary>
    /// flag-list = "(" [flag *(SP flag)] ")". System flags are normalised to their RFC spelling;
    /// "\Recent" and "\*" cannot be set by a client.
    /// </summary>
    internal static bool ReadFlagList(CommandReader r, List<string> flags, string what, bool allowKeywords = true)
    {
        if (!r.Open())
        {
            return false;
        }
        if (r.Peek() != ')')
        {
            do
            {
                if (!ReadFlag(r, flags, allowKeywords))
                {
                    return false;
                }
                if (!r.CheckCount(flags.Count, what))
                {
                    return false;
                }
            }
            while (r.TryConsume((byte)' '));
        }
        return r.Close();
    }

    private static readonly string[] s_systemFlags = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

    /// <summary>flag = "\Answered" / ... / flag-keyword / flag-extension.</summary>
    internal static bool ReadFlag(CommandReader r, List<string> flags, bool allowKeywords = true)
    {
        bool system = r.TryConsume((byte)'\\');
        if (!system && !allowKeywords)
        {
            return r.Unexpected("'\\' and an attribute name");
        }
        if (!r.ReadAtom("a flag", out var atom))
        {
            return false;
        }
        string flag = atom;
        if (system)
        {
            flag = "\\" + atom;
            if (atom.Equals("Recent", StringComparison.OrdinalIgnoreCase))
            {
                return r.Fail("\\Recent cannot be set by a client");
            }
            foreach (var known in s_systemFlags)
            {
                if (known.Equals(flag, StringComparison.OrdinalIgnoreCase))
                {
                    flag = known;
                }
            }
        }
        if (!flags.Contains(flag, StringComparer.OrdinalIgnoreCase))
        {
            flags.Add(flag);
        }
        return true;
    }

    /// <summary>ID SP ("(" string SP nstring *(SP string SP nstring) ")" / NIL) (RFC 2971 §3.3).</summary>
    private static ImapCommand? Id(CommandReader r, string tag)
    {
        if (!r.Space())
        {
            return null;
        }
        if (r.TryConsumeWord("NIL"))
        {
            return r.End() ? new IdCommand(tag, null) : null;
        }
        if (!r.Open())
        {
            return null;
        }
        var fields = new List<KeyValuePair<string, string?>>();
        if (r.Peek() != ')')
        {
            do
            {
                if (!r.ReadString("an ID field name", out var key) || !r.Space() || !r.ReadNString("an ID field value", out var value))
                {
                    return null;
                }
                fields.Add(new(key, value));
                if (!r.CheckCount(fields.Count, "ID fields"))
                {
                    return null;
                }
            }
            while (r.TryConsume((byte)' '));
        }
        return r.Close() && r.End() ? new IdCommand(tag, fields) : null;
    }

    internal static string Upper(ReadOnlySpan<byte> word) => Encoding.ASCII.GetString(word).ToUpperInvariant();
}
