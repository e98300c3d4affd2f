namespace Letterbox.Imap.Protocol;

/// <summary>A FETCH data item (RFC 9051 §6.4.5). The macros ALL, FAST and FULL are expanded by the parser.</summary>
public abstract record FetchItem;

public enum FetchAttribute
{
    Flags, InternalDate, Rfc822Size, Envelope, Body, BodyStructure, Uid, ModSeq, EmailId, ThreadId, SaveDate,
    /// <summary>RFC822, RFC822.HEADER, RFC822.TEXT (RFC 3501 forms; RFC822 sets \Seen).</summary>
    Rfc822, Rfc822Header, Rfc822Text,
}

public sealed record FetchSimple(FetchAttribute Attribute) : FetchItem;

public enum SectionText
{
    /// <summary>The whole part (BODY[] or BODY[1.2]).</summary>
    None,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
    Mime,
}

/// <summary>A section spec: part numbers (empty for the top level), then an optional text specifier.</summary>
public sealed record SectionSpec(IReadOnlyList<int> Part, SectionText Text, IReadOnlyList<string> Fields)
{
    public static readonly SectionSpec Whole = new([], SectionText.None, []);
}

/// <summary>
/// BODY[section]&lt;partial&gt;, BODY.PEEK[...], BINARY[...] / BINARY.PEEK[...] (RFC 3516).
/// <see cref="PartialOffset"/> and <see cref="PartialLength"/> are null without a partial.
/// </summary>
public sealed record FetchSection(bool Peek, bool Binary, SectionSpec Section, long? PartialOffset, long? PartialLength) : FetchItem;

/// <summary>BINARY.SIZE[part] (RFC 3516).</summary>
public sealed record FetchBinarySize(IReadOnlyList<int> Part) : FetchItem;
