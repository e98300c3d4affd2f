using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Smtp;

/// <summary>Why an SMTP or LMTP session ended (the connection-end metric's reason tag).</summary>
internal enum SessionEnd
{
    Quit,
    ClientClosed,
    IdleTimeout,
    TooManyErrors,
    TooManyCommands,
    TlsFailed,
    ServerStopping,
    /// <summary>Spoke before the greeting (greeting delay, <c>Smtp:GreetingDelayMs</c>).</summary>
    EarlyTalker,
    /// <summary>A BDAT without a readable chunk size: the rest of the input cannot be framed.</summary>
    LostSync,
}

internal static class SmtpMetrics
{
    public static readonly ActivitySource Source = new("Letterbox.Smtp");
    private static readonly Meter Meter = new("Letterbox.Smtp");
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("letterbox.smtp.commands");
    public static readonly Counter<long> Messages = Meter.CreateCounter<long>("letterbox.smtp.messages");
    public static readonly Counter<long> ReceivedBytes = Meter.CreateCounter<long>("letterbox.smtp.received_bytes", "By");
    public static readonly Counter<long> RejectedRecipients = Meter.CreateCounter<long>("letterbox.smtp.rejected_recipients");
    public static readonly Counter<long> SessionsEnded = Meter.CreateCounter<long>("letterbox.smtp.sessions_ended");
    public static readonly Counter<long> EarlyTalkers = Meter.CreateCounter<long>("letterbox.smtp.early_talkers");
}

/// <summary>SMTP/LMTP log events (ids 4001-4099). Addresses only; never a message body.</summary>
internal static partial class SmtpLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "{Mode} message {Id} from <{Sender}> ({Size} octets, {Recipients} recipients) from {Remote}")]
    public static partial void Received(ILogger log, SmtpMode mode, string id, string sender, long size, int recipients, IPEndPoint remote);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "{Mode} refused recipient <{Recipient}> from {Remote}: {Reason}")]
    public static partial void RecipientRefused(ILogger log, SmtpMode mode, string recipient, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "{Mode} TLS handshake with {Remote} failed")]
    public static partial void TlsFailed(ILogger log, Exception e, SmtpMode mode, IPEndPoint remote);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "{Mode} session with {Remote} ended: {Reason}")]
    public static partial void Ended(ILogger log, SmtpMode mode, IPEndPoint remote, SessionEnd reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "{Mode} recipient lookup for <{Recipient}> failed")]
    public static partial void LookupFailed(ILogger log, Exception e, SmtpMode mode, string recipient);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "{Mode} could not spool message data")]
    public static partial void SpoolFailed(ILogger log, Exception e, SmtpMode mode);
}
