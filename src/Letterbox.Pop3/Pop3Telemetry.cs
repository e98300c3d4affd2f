using System.Diagnostics.Metrics;
using System.Net;
using Letterbox.Net;
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

/// <summary>Metrics of the POP3 server: the shared session set plus what only POP3 measures.</summary>
internal static class Pop3Metrics
{
    public static readonly SessionTelemetry Session = new("POP3");
    public static readonly Counter<long> RetrievedBytes = Session.Meter.CreateCounter<long>(Session.Prefix + "retrieved_bytes", "By");
}

/// <summary>POP3 log events (ids 3101-3199; the shared ones are in <see cref="SessionTelemetry"/>). Never a password or a message body.</summary>
internal static partial class Pop3Log
{
    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "POP3 maildrop of {User} is in use; refused {Remote}")]
    public static partial void InUse(ILogger log, string user, IPEndPoint remote);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "POP3 cannot open the maildrop of {User}")]
    public static partial void OpenFailed(ILogger log, Exception e, string user);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "POP3 QUIT for {User} could not remove deleted messages")]
    public static partial void CommitFailed(ILogger log, Exception e, string user);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "POP3 QUIT for {User}: {Removed} of {Requested} messages removed")]
    public static partial void Committed(ILogger log, string user, int removed, int requested);
}
