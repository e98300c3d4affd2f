using Letterbox.Store;

namespace Letterbox.Imap.Protocol;

/// <summary>Every command name Letterbox understands (RFC 9051 §6 and the extensions it advertises).</summary>
public enum CommandName
{
    Capability, Noop, Logout, StartTls, Authenticate, Login, Enable,
    Select, Examine, Create, Delete, Rename, Subscribe, Unsubscribe, List, Lsub, Namespace, Status, Append, Idle,
    Check, Close, Unselect, Expunge, Search, Fetch, Store, Copy, Move, Id,
    GetQuota, GetQuotaRoot, SetQuota,
}

/// <summary>
/// A parsed command. <see cref="Uid"/> is set for the UID forms (UID FETCH, UID EXPUNGE...).
/// Mailbox names are as sent on the wire, decoded from the octets as UTF-8: the session decodes
/// modified UTF-7 (RFC 3501 §5.1.3) when the client has not enabled UTF-8.
/// </summary>
public record ImapCommand(string Tag, CommandName Name, bool Uid = false);

public sealed record LoginCommand(string Tag, string UserName, string Password) : ImapCommand(Tag, CommandName.Login);

/// <summary>AUTHENTICATE with an optional SASL-IR initial response (RFC 4959): null when absent, "" for "=".</summary>
public sealed record AuthenticateCommand(string Tag, string Mechanism, string? InitialResponse) : ImapCommand(Tag, CommandName.Authenticate);

public sealed record EnableCommand(string Tag, IReadOnlyList<string> Capabilities) : ImapCommand(Tag, CommandName.Enable);

/// <summary>SELECT or EXAMINE, with RFC 4466 select parameters kept by name (CONDSTORE, QRESYNC...).</summary>
public sealed record SelectCommand(string Tag, CommandName Name, string Mailbox, IReadOnlyList<string> Parameters) : ImapCommand(Tag, Name)
{
    /// <summary>The parameters with their raw values, e.g. QRESYNC "(67890007 90060115194045000)" (RFC 4466 tagged-ext-val).</summary>
    public IReadOnlyList<TaggedParameter> ParameterValues { get; init; } = [];

    /// <summary>The QRESYNC parameter, parsed (RFC 7162 §3.2.5); null when absent.</summary>
    public QResyncParameter? QResync { get; init; }
}

/// <summary>What a QRESYNC client last knew of the mailbox: its UIDVALIDITY, MODSEQ and, optionally, its UIDs.</summary>
public sealed record QResyncParameter(uint UidValidity, ulong ModSeq, SequenceSet? KnownUids);

/// <summary>An RFC 4466 tagged-ext parameter: upper-cased name and its value as raw text (null when absent).</summary>
public sealed record TaggedParameter(string Name, string? Value);

/// <summary>CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE. CREATE may carry USE (\Sent ...) per RFC 6154 §3.</summary>
public sealed record MailboxCommand(string Tag, CommandName Name, string Mailbox, IReadOnlyList<string>? SpecialUse = null) : ImapCommand(Tag, Name);

/// <summary>GETQUOTA quota-root, GETQUOTAROOT mailbox (RFC 9208 §4.2, §4.3): <paramref name="Argument"/> is the root or the mailbox.</summary>
public sealed record QuotaCommand(string Tag, CommandName Name, string Argument) : ImapCommand(Tag, Name);

/// <summary>SETQUOTA quota-root (resource limit ...) (RFC 9208 §4.1.3).</summary>
public sealed record SetQuotaCommand(string Tag, string Root, IReadOnlyList<KeyValuePair<string, long>> Limits) : ImapCommand(Tag, CommandName.SetQuota);

public sealed record RenameCommand(string Tag, string From, string To) : ImapCommand(Tag, CommandName.Rename);

/// <summary>LIST selection options (RFC 5258 §3.1).</summary>
[Flags]
public enum ListSelection
{
    None = 0,
    Subscribed = 1,
    Remote = 2,
    RecursiveMatch = 4,
    SpecialUse = 8,
}

/// <summary>LIST return options (RFC 5258 §3.2, RFC 6154, RFC 5819).</summary>
[Flags]
public enum ListReturn
{
    None = 0,
    Subscribed = 1,
    Children = 2,
    SpecialUse = 4,
    Status = 8,
    MyRights = 16,
}

/// <summary>LIST (extended) or LSUB. <see cref="StatusItems"/> is set with RETURN (STATUS (...)).</summary>
public sealed record ListCommand(
    string Tag,
    CommandName Name,
    string Reference,
    IReadOnlyList<string> Patterns,
    ListSelection Selection,
    ListReturn Return,
    IReadOnlyList<StatusItem> StatusItems) : ImapCommand(Tag, Name);

public enum StatusItem
{
    Messages, Recent, UidNext, UidValidity, Unseen, Deleted, Size, HighestModSeq, AppendLimit, MailboxId,
}

public sealed record StatusCommand(string Tag, string Mailbox, IReadOnlyList<StatusItem> Items) : ImapCommand(Tag, CommandName.Status);

/// <summary>
/// The message of an APPEND: a literal that may be spooled to disk (large literals never sit in
/// memory). Dispose it once stored.
/// </summary>
public abstract class MessageLiteral : IDisposable
{
    public abstract long Length { get; }
    /// <summary>Opens the literal's octets from the start.</summary>
    public abstract Stream OpenRead();
    public abstract void Dispose();
}

/// <summary>One message of an APPEND (MULTIAPPEND sends several, RFC 3502).</summary>
public sealed record AppendMessage(IReadOnlyList<string>? Flags, DateTimeOffset? InternalDate, MessageLiteral Content, bool Binary = false);

public sealed record AppendCommand(string Tag, string Mailbox, IReadOnlyList<AppendMessage> Messages) : ImapCommand(Tag, CommandName.Append);

/// <summary>ESEARCH RETURN options (RFC 4731, RFC 5182 SAVE).</summary>
[Flags]
public enum SearchReturn
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
    Save = 16,
}

/// <summary>
/// SEARCH. <see cref="Return"/> is null for the plain form (answer "* SEARCH"), set for
/// "SEARCH RETURN (...)" (answer "* ESEARCH"; an empty list means ALL).
/// </summary>
public sealed record SearchCommand(string Tag, bool Uid, string? Charset, SearchKey Criteria, SearchReturn? Return)
    : ImapCommand(Tag, CommandName.Search, Uid);

public sealed record FetchCommand(string Tag, bool Uid, SequenceSet Set, IReadOnlyList<FetchItem> Items, ulong? ChangedSince = null)
    : ImapCommand(Tag, CommandName.Fetch, Uid)
{
    /// <summary>The VANISHED modifier of UID FETCH ... (CHANGEDSINCE n VANISHED) (RFC 7162 §3.2.6).</summary>
    public bool Vanished { get; init; }
}

public sealed record StoreCommand(string Tag, bool Uid, SequenceSet Set, FlagOperation Operation, bool Silent, IReadOnlyList<string> Flags, ulong? UnchangedSince = null)
    : ImapCommand(Tag, CommandName.Store, Uid);

/// <summary>COPY or MOVE (RFC 6851).</summary>
public sealed record CopyCommand(string Tag, CommandName Name, bool Uid, SequenceSet Set, string Mailbox) : ImapCommand(Tag, Name, Uid);

/// <summary>EXPUNGE, or UID EXPUNGE with its set (RFC 4315 §2.1).</summary>
public sealed record ExpungeCommand(string Tag, bool Uid, SequenceSet? Set) : ImapCommand(Tag, CommandName.Expunge, Uid);

/// <summary>ID (RFC 2971): field/value pairs, or null for "ID NIL".</summary>
public sealed record IdCommand(string Tag, IReadOnlyList<KeyValuePair<string, string?>>? Fields) : ImapCommand(Tag, CommandName.Id);
