using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Imap;

/// <summary>Metrics of the IMAP server (System.Diagnostics.Metrics).</summary>
internal static class ImapMetrics
{
    public static readonly Meter Meter = new("Letterbox.Imap");
    public static readonly Counter<long> Connections = Meter.CreateCounter<long>("letterbox.imap.connections");
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("letterbox.imap.commands");
    public static readonly Counter<long> AuthFailures = Meter.CreateCounter<long>("letterbox.imap.auth_failures");
    public static readonly Counter<long> Logins = Meter.CreateCounter<long>("letterbox.imap.logins");
    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("letterbox.imap.command.duration", "ms");
    public static readonly Counter<long> ConnectionEnds = Meter.CreateCounter<long>("letterbox.imap.connection_ends");
}

/// <summary>Source-generated log messages of the IMAP server. Never a password or a message body.</summary>
internal static partial class ImapLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "IMAP connection from {Remote} on {Listener}")]
    public static partial void Connected(ILogger log, IPEndPoint remote, string listener);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "IMAP login {User} from {Remote}")]
    public static partial void LoggedIn(ILogger log, string user, IPEndPoint remote);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "IMAP login failed for {User} from {Remote} ({Failures} failures)")]
    public static partial void LoginFailed(ILogger log, string user, IPEndPoint remote, int failures);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "IMAP command {Command} failed for {User}")]
    public static partial void CommandFailed(ILogger log, Exception exception, string command, string user);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "IMAP session from {Remote} ended: {Reason}")]
    public static partial void Ended(ILogger log, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "IMAP client from {Remote} sent a bad command: {Reason}")]
    public static partial void BadCommand(ILogger log, IPEndPoint remote, string reason);
}
