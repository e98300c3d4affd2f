using Letterbox.Smtp.Protocol;

namespace Letterbox.Smtp;

/// <summary>Where a session is in the mail transaction (RFC 5321 §3.3, §4.1.4).</summary>
[Flags]
public enum SmtpStates
{
    None = 0,
    /// <summary>Before HELO/EHLO/LHLO (and again after STARTTLS, RFC 3207 §4.2).</summary>
    Connected = 1,
    /// <summary>Greeted, no transaction open.</summary>
    Greeted = 2,
    /// <summary>MAIL given, no recipient accepted yet.</summary>
    Mail = 4,
    /// <summary>At least one recipient accepted.</summary>
    Recipients = 8,
    Any = Connected | Greeted | Mail | Recipients,
}

/// <summary>One command's registration: the states it is allowed in and the dialects that know it.</summary>
public sealed record SmtpCommandRule(SmtpStates States, SmtpMode Modes, bool CountsAsTransaction);

/// <summary>
/// Each command registered once (RFC 5321 §4.1.4 order of commands, RFC 2033 §4.1, RFC 3207, RFC 3030).
/// <see cref="SmtpCommandRule.CountsAsTransaction"/> marks MAIL, RCPT, DATA and BDAT: the other commands
/// count towards the limit on commands without a message.
/// </summary>
public static class CommandTable
{
    private const SmtpMode Both = SmtpMode.Smtp | SmtpMode.Lmtp;

    public static IReadOnlyDictionary<SmtpVerb, SmtpCommandRule> Rules { get; } = new Dictionary<SmtpVerb, SmtpCommandRule>
    {
        [SmtpVerb.Helo] = new(SmtpStates.Any, SmtpMode.Smtp, false),
        [SmtpVerb.Ehlo] = new(SmtpStates.Any, SmtpMode.Smtp, false),
        [SmtpVerb.Lhlo] = new(SmtpStates.Any, SmtpMode.Lmtp, false),
        [SmtpVerb.Mail] = new(SmtpStates.Greeted, Both, true),
        [SmtpVerb.Rcpt] = new(SmtpStates.Mail | SmtpStates.Recipients, Both, true),
        [SmtpVerb.Data] = new(SmtpStates.Mail | SmtpStates.Recipients, Both, true),
        [SmtpVerb.Rset] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.Noop] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.Quit] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.Vrfy] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.Expn] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.Help] = new(SmtpStates.Any, Both, false),
        [SmtpVerb.StartTls] = new(SmtpStates.Greeted, Both, false),
        // RFC 3030 §2: a BDAT refused by state still has its chunk read, so the session stays in step.
        [SmtpVerb.Bdat] = new(SmtpStates.Mail | SmtpStates.Recipients, Both, true),
    };

    public static bool IsKnown(SmtpVerb verb, SmtpMode mode) => Rules.TryGetValue(verb, out var rule) && (rule.Modes & mode) != 0;

    public static bool IsAllowed(SmtpVerb verb, SmtpStates state) => Rules.TryGetValue(verb, out var rule) && (rule.States & state) != 0;
}
