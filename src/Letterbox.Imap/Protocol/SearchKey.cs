namespace Letterbox.Imap.Protocol;

/// <summary>A SEARCH criterion (RFC 9051 §6.4.4). A list of keys is their AND.</summary>
public abstract record SearchKey;

public sealed record SearchAll : SearchKey
{
    public static readonly SearchAll Instance = new();
}

public sealed record SearchAnd(IReadOnlyList<SearchKey> Keys) : SearchKey;

public sealed record SearchOr(SearchKey Left, SearchKey Right) : SearchKey;

public sealed record SearchNot(SearchKey Key) : SearchKey;

/// <summary>
/// A flag test: ANSWERED/UNANSWERED, DELETED, DRAFT, FLAGGED, SEEN (and UN- forms), KEYWORD/UNKEYWORD.
/// NEW, OLD and RECENT are expressed with "\Recent" (which Letterbox never sets, as RFC 9051 allows).
/// </summary>
public sealed record SearchFlag(string Flag, bool Set) : SearchKey;

public enum SearchDateField
{
    /// <summary>BEFORE / ON / SINCE: the internal date.</summary>
    Internal,
    /// <summary>SENTBEFORE / SENTON / SENTSINCE: the Date header.</summary>
    Sent,
    /// <summary>SAVEDBEFORE / SAVEDON / SAVEDSINCE: the save date (RFC 8514 §4).</summary>
    Saved,
}

public enum SearchDateComparison
{
    Before,
    On,
    Since,
}

public sealed record SearchDate(SearchDateField Field, SearchDateComparison Comparison, DateOnly Date) : SearchKey;

/// <summary>LARGER n (Larger = true) or SMALLER n.</summary>
public sealed record SearchSize(bool Larger, long Size) : SearchKey;

/// <summary>
/// A header contains a string, case-insensitively: FROM, TO, CC, BCC, SUBJECT are
/// HEADER with that field name. An empty value matches every message that has the field.
/// </summary>
public sealed record SearchHeader(string Field, string Value) : SearchKey;

/// <summary>BODY (Text = false) or TEXT (headers and body), over decoded text, case-insensitive.</summary>
public sealed record SearchText(bool IncludeHeaders, string Value) : SearchKey;

/// <summary>A sequence set (Uid = false) or UID set.</summary>
public sealed record SearchSet(SequenceSet Set, bool Uid) : SearchKey;

/// <summary>OLDER n / YOUNGER n seconds (RFC 5032 WITHIN).</summary>
public sealed record SearchWithin(bool Older, long Seconds) : SearchKey;

/// <summary>MODSEQ n (RFC 7162 §3.1.5).</summary>
public sealed record SearchModSeq(ulong ModSeq) : SearchKey;

/// <summary>SAVEDATESUPPORTED (RFC 8514 §4): true for every message when the mailbox keeps save dates.</summary>
public sealed record SearchSaveDateSupported : SearchKey
{
    public static readonly SearchSaveDateSupported Instance = new();
}

/// <summary>EMAILID id (Thread = false) or THREADID id (RFC 8474 §6).</summary>
public sealed record SearchObjectId(bool Thread, string Id) : SearchKey;
