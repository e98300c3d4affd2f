namespace Letterbox.Smtp.Protocol;

/// <summary>The commands of RFC 5321 §4.1.1, RFC 2033 §4.1 (LHLO) and RFC 3207 (STARTTLS).</summary>
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
}

/// <summary>RFC 6152 / RFC 3030: the BODY= parameter of MAIL.</summary>
public enum SmtpBody
{
    SevenBit,
    EightBitMime,
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
}

/// <summary>A parse outcome: a command, or the reply that refuses the line.</summary>
public sealed record SmtpParseResult(SmtpCommand? Command, SmtpReply? Error)
{
    public bool IsSuccess => Command is not null;
    public static SmtpParseResult Ok(SmtpCommand command) => new(command, null);
    public static SmtpParseResult Fail(SmtpReply error) => new(null, error);
}
