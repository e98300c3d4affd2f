using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Pop3;

/// <summary>Why a POP3 session ended (the connection-end metric's reason tag).</summary>
internal enum SessionEnd
{
    Quit,
    ClientClosed,
    IdleTimeout,
    TooManyFailedLogins,
    TlsFailed,
    ServerStopping,
}

internal static class Pop3Metrics
{
    public static readonly ActivitySource Source = new("Letterbox.Pop3");
    private static readonly Meter Meter = new("Letterbox.Pop3");
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("letterbox.pop3.commands");
    public static readonly Counter<long> Logins = Meter.CreateCounter<long>("letterbox.pop3.logins");
    public static readonly Counter<long> AuthFailures = Meter.CreateCounter<long>("letterbox.pop3.auth_failures");
    public static readonly Counter<long> RetrievedBytes = Meter.CreateCounter<long>("letterbox.pop3.retrieved_bytes", "By");
    public static readonly Counter<long> SessionsEnded = Meter.CreateCounter<long>("letterbox.pop3.sessions_ended");
}

/// <summary>POP3 log events (ids 3001-3099). Never a password or a message body.</summary>
internal static partial class Pop3Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "POP3 login {User} from {Remote}")]
    public static partial void LoggedIn(ILogger log, string user, IPEndPoint remote);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "POP3 failed login for {User} from {Remote} ({Failures} on this connection)")]
    public static partial void LoginFailed(ILogger log, string user, IPEndPoint remote, int failures);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "POP3 maildrop of {User} is in use; refused {Remote}")]
    public static partial void InUse(ILogger log, string user, IPEndPoint remote);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "POP3 cannot open the maildrop of {User}")]
    public static partial void OpenFailed(ILogger log, Exception e, string user);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "POP3 QUIT for {User} could not remove deleted messages")]
    public static partial void CommitFailed(ILogger log, Exception e, string user);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "POP3 QUIT for {User}: {Removed} of {Requested} messages removed")]
    public static partial void Committed(ILogger log, string user, int removed, int requested);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "POP3 session with {Remote} ended: {Reason}")]
    public static partial void Ended(ILogger log, IPEndPoint remote, SessionEnd reason);
}
