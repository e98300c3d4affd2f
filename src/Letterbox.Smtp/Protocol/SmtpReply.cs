using System.Buffers;
using System.Text;

namespace Letterbox.Smtp.Protocol;

/// <summary>
/// One reply: the RFC 5321 §4.2 code, the RFC 3463 enhanced status code (RFC 2034 §3: on every
/// reply except the greeting and the HELO/EHLO/LHLO answer) and a line of text.
/// </summary>
public sealed record SmtpReply(int Code, string? Enhanced, string Text)
{
    public bool IsError => Code >= 400;

    /// <summary>Writes the reply as one line: "250 2.0.0 Ok".</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var line = Enhanced is null ? $"{Code} {Text}\r\n" : $"{Code} {Enhanced} {Text}\r\n";
        Encoding.UTF8.GetBytes(line, output);
    }

    /// <summary>RFC 5321 §4.2.1: a multi-line reply, "250-" on every line but the last.</summary>
    public static void WriteLines(IBufferWriter<byte> output, int code, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lines);
        for (var i = 0; i < lines.Count; i++)
        {
            Encoding.UTF8.GetBytes($"{code}{(i == lines.Count - 1 ? ' ' : '-')}{lines[i]}\r\n", output);
        }
    }

    public static readonly SmtpReply Ok = new(250, "2.0.0", "Ok");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Sender ok");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Recipient ok");
    public static readonly SmtpReply Bye = new(221, "2.0.0", "Bye");
    public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply UnknownCommand = new(500, "5.5.2", "Command not recognized");
    public static readonly SmtpReply LineTooLong = new(500, "5.5.6", "Line too long");
    public static readonly SmtpReply BadSequence = new(503, "5.5.1", "Bad sequence of commands");
    public static readonly SmtpReply UnknownUser = new(550, "5.1.1", "No such user here");
    public static readonly SmtpReply UnknownDomain = new(550, "5.1.2", "Domain not hosted here");
    public static readonly SmtpReply RelayDenied = new(554, "5.7.1", "Relay access denied");
    public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients");
    public static readonly SmtpReply TooBig = new(552, "5.3.4", "Message too big");
    public static readonly SmtpReply OverQuota = new(552, "5.2.2", "Message exceeds the recipient's quota");
    /// <summary>RFC 3463 §3.3: X.2.2 mailbox full; 4xx at RCPT time so the sender retries.</summary>
    public static readonly SmtpReply MailboxFull = new(452, "4.2.2", "Mailbox full, try again later");
    public static readonly SmtpReply TemporaryFailure = new(451, "4.3.0", "Temporary failure, try again later");
    public static readonly SmtpReply CannotVerify = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply ExpnDisabled = new(502, "5.5.1", "EXPN not available");
    public static readonly SmtpReply ReadyForTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply TlsUnavailable = new(454, "4.7.0", "TLS not available");
    public static readonly SmtpReply AlreadyTls = new(503, "5.5.1", "TLS already active");
    public static readonly SmtpReply NoValidRecipients = new(554, "5.5.1", "No valid recipients");
    public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    public static readonly SmtpReply TooManyCommands = new(421, "4.7.0", "Too many commands without a message, closing connection");
    public static readonly SmtpReply Timeout = new(421, "4.4.2", "Idle for too long, closing connection");
    public static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Server shutting down, closing connection");
    /// <summary>RFC 5321 §3.1: 554 instead of the 220 greeting; the session ends.</summary>
    public static readonly SmtpReply EarlyTalker = new(554, "5.5.0", "Talking before the greeting, closing connection");
    /// <summary>RFC 3030 §3: BODY=BINARYMIME data may only come with BDAT.</summary>
    public static readonly SmtpReply BinaryNeedsBdat = new(503, "5.5.1", "BODY=BINARYMIME requires BDAT");
    /// <summary>RFC 3030 §2: DATA and BDAT are not mixed in one transaction.</summary>
    public static readonly SmtpReply DataAfterBdat = new(503, "5.5.1", "DATA not allowed after BDAT in one transaction");
    public static readonly SmtpReply CannotSpool = new(451, "4.3.0", "Cannot accept data now, try again later");
    public static readonly SmtpReply Busy = new(421, "4.7.0", "Too many connections, try again later");
}
