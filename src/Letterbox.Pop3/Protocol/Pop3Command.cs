namespace Letterbox.Pop3.Protocol;

/// <summary>The POP3 commands Letterbox understands (RFC 1939 §4-7, RFC 2449, RFC 2595, RFC 5034, RFC 6856).</summary>
public enum Pop3Verb
{
    User,
    Pass,
    Auth,
    Stls,
    Capa,
    Utf8,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Top,
    Uidl,
    Quit,
}

/// <summary>
/// One parsed command. Which fields are set depends on <see cref="Verb"/>:
/// <see cref="Message"/> for LIST/UIDL (optional), RETR, DELE and TOP; <see cref="Lines"/> for TOP;
/// <see cref="Argument"/> for USER, PASS and AUTH (the mechanism); <see cref="InitialResponse"/> for AUTH.
/// </summary>
public sealed record Pop3Command(Pop3Verb Verb, int? Message = null, int? Lines = null, string? Argument = null, string? InitialResponse = null)
{
    /// <summary>Never prints a password (logs, test failures).</summary>
    public override string ToString() => Verb switch
    {
        Pop3Verb.Pass => "PASS ***",
        Pop3Verb.Auth => InitialResponse is null ? $"AUTH {Argument}" : $"AUTH {Argument} ***",
        _ => $"{Verb.ToString().ToUpperInvariant()} {Argument}{Message}{(Lines is null ? "" : " " + Lines)}".TrimEnd(),
    };
}

/// <summary>The outcome of parsing one command line: a command, or the reason it was refused (sent as -ERR).</summary>
public readonly record struct Pop3ParseResult(Pop3Command? Command, string Error)
{
    public bool IsSuccess => Command is not null;
    public static Pop3ParseResult Ok(Pop3Command command) => new(command, "");
    public static Pop3ParseResult Fail(string error) => new(null, error);
}
