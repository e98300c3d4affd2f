using System.Diagnostics.Metrics;
using System.Net;
using Letterbox.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Imap;

/// <summary>Metrics of the IMAP server: the shared session set plus what only IMAP measures.</summary>
internal static class ImapMetrics
{
    public static readonly SessionTelemetry Session = new("IMAP");
    public static readonly Histogram<double> CommandDuration = Session.Meter.CreateHistogram<double>(Session.Prefix + "command.duration", "ms");
}

/// <summary>Source-generated log messages only the IMAP server has. Never a password or a message body.</summary>
internal static partial class ImapLog
{
    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "IMAP command {Command} failed for {User}")]
    public static partial void CommandFailed(ILogger log, Exception exception, string command, string user);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "IMAP client from {Remote} sent a bad command: {Reason}")]
    public static partial void BadCommand(ILogger log, IPEndPoint remote, string reason);
}
