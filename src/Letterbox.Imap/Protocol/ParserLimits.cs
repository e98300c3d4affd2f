namespace Letterbox.Imap.Protocol;

/// <summary>Limits the parser enforces while parsing; crossing one is a BAD with a text saying which.</summary>
public sealed record ParserLimits
{
    public static ParserLimits Default { get; } = new();

    /// <summary>Longest tag (RFC 9051 sets none; Dovecot allows 100, we keep it tighter).</summary>
    public int MaxTagLength { get; init; } = CommandPeek.DefaultMaxTagLength;

    /// <summary>Deepest nesting of parentheses (SEARCH criteria, FETCH lists, ID, LIST options).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Most items in any one list: sequence-set ranges, FETCH items, SEARCH keys, flags, header names, ID pairs, patterns, messages of a MULTIAPPEND.</summary>
    public int MaxItems { get; init; } = 10_000;

    /// <summary>Longest literal used as a string (not an APPEND message) that the parser reads into memory.</summary>
    public int MaxStringLiteral { get; init; } = 64 * 1024;
}

/// <summary>
/// The outcome of <see cref="CommandParser.Parse(CommandInput, ParserLimits)"/>: a command, or an error to answer with
/// "<see cref="Tag"/> BAD <see cref="ErrorText"/>" (or NO when <see cref="IsBad"/> is false).
/// </summary>
public readonly record struct ParseResult
{
    private ParseResult(ImapCommand? command, string tag, string? errorText, bool isBad)
    {
        Command = command;
        Tag = tag;
        ErrorText = errorText;
        IsBad = isBad;
    }

    public ImapCommand? Command { get; }

    /// <summary>The command's tag, or "*" when the line had no valid tag.</summary>
    public string Tag { get; }

    /// <summary>Human-readable reason, null on success.</summary>
    public string? ErrorText { get; }

    public bool IsBad { get; }

    public bool Success => Command is not null;

    public static ParseResult Ok(ImapCommand command) => new(command ?? throw new ArgumentNullException(nameof(command)), command.Tag, null, false);

    public static ParseResult Bad(string tag, string text) => new(null, tag, text, true);

    public static ParseResult No(string tag, string text) => new(null, tag, text, false);
}
