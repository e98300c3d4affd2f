namespace Letterbox.Smtp.Protocol;

/// <summary>The commands of RFC 5321 §4.1.1, RFC 2033 §4.1 (LHLO), RFC 3207 (STARTTLS) and RFC 3030 (BDAT).</summary>
public enum SmtpVerb
{
    Helo,
    Ehlo,
    Lhlo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Bdat,
}

/// <summary>RFC 6152 / RFC 3030: the BODY= parameter of MAIL.</summary>
public enum SmtpBody
{
    SevenBit,
    EightBitMime,
    /// <summary>RFC 3030 §3: binary content; only BDAT may carry it.</summary>
    BinaryMime,
}

/// <summary>RFC 3461 §4.3: RET= of MAIL, what a DSN should return of the message.</summary>
public enum DsnReturn
{
    Full,
    Headers,
}

/// <summary>RFC 3461 §4.1: NOTIFY= of RCPT; <see cref="Never"/> stands alone.</summary>
[Flags]
public enum DsnNotify
{
    None = 0,
    Never = 1,
    Success = 2,
    Failure = 4,
    Delay = 8,
}

/// <summary>
/// One parsed command. <see cref="Argument"/> is the HELO/EHLO/LHLO domain, the VRFY/EXPN/HELP/NOOP
/// text, or the mailbox of MAIL/RCPT ("" for the null reverse-path &lt;&gt;).
/// </summary>
public sealed record SmtpCommand(SmtpVerb Verb, string Argument)
{
    /// <summary>RFC 1870 SIZE= of MAIL: the size the client declares, checked before DATA.</summary>
    public long? DeclaredSize { get; init; }
    public SmtpBody Body { get; init; } = SmtpBody.SevenBit;
    /// <summary>RFC 6531 SMTPUTF8 parameter of MAIL.</summary>
    public bool SmtpUtf8 { get; init; }
    /// <summary>RFC 3461 §4.3 RET= of MAIL.</summary>
    public DsnReturn? Return { get; init; }
    /// <summary>RFC 3461 §4.4 ENVID= of MAIL, still xtext-encoded as the client sent it.</summary>
    public string? EnvelopeId { get; init; }
    /// <summary>RFC 3461 §4.1 NOTIFY= of RCPT (<see cref="DsnNotify.None"/>: not given).</summary>
    public DsnNotify Notify { get; init; }
    /// <summary>RFC 3461 §4.2 ORCPT= of RCPT: "addr-type;xtext", as the client sent it.</summary>
    public string? OriginalRecipient { get; init; }
    /// <summary>RFC 3030 §2 BDAT chunk-size: the octets that follow the command line.</summary>
    public long ChunkSize { get; init; }
    /// <summary>RFC 3030 §2 BDAT ... LAST: the final chunk of the message.</summary>
    public bool LastChunk { get; init; }
}

/// <summary>
/// A parse outcome: a command, or the reply that refuses the line. <see cref="LostSync"/>: the line
/// was a BDAT whose chunk size cannot be read, so the octets after it cannot be told from commands
/// and the session must end (RFC 3030 §2).
/// </summary>
public sealed record SmtpParseResult(SmtpCommand? Command, SmtpReply? Error)
{
    public bool LostSync { get; init; }
    public bool IsSuccess => Command is not null;
    public static SmtpParseResult Ok(SmtpCommand command) => new(command, null);
    public static SmtpParseResult Fail(SmtpReply error) => new(null, error);
}
