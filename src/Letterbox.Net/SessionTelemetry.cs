using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Net;

/// <summary>
/// The metrics and log events every protocol session has (connections, commands, logins, failed
/// logins, session ends), named after the protocol: meter and activity source "Letterbox.Imap",
/// instruments "letterbox.imap.commands" and so on. A protocol keeps one instance and adds its own
/// instruments to <see cref="Meter"/>. Log events never carry a password or a message body.
/// </summary>
public sealed partial class SessionTelemetry
{
    private readonly Counter<long> _connections;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _sessionsEnded;

    /// <summary>The set for <paramref name="protocol"/>, its name as written in logs, e.g. "IMAP", "POP3".</summary>
    public SessionTelemetry(string protocol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(protocol);
        Protocol = protocol;
        var pascal = protocol[..1].ToUpperInvariant() + protocol[1..].ToLowerInvariant();
        Meter = new Meter("Letterbox." + pascal);
        Source = new ActivitySource("Letterbox." + pascal);
        Prefix = "letterbox." + protocol.ToLowerInvariant() + ".";
        _connections = Meter.CreateCounter<long>(Prefix + "connections");
        _commands = Meter.CreateCounter<long>(Prefix + "commands");
        _logins = Meter.CreateCounter<long>(Prefix + "logins");
        _authFailures = Meter.CreateCounter<long>(Prefix + "auth_failures");
        _sessionsEnded = Meter.CreateCounter<long>(Prefix + "sessions_ended");
    }

    public string Protocol { get; }

    /// <summary>The protocol's meter, for instruments only it has.</summary>
    public Meter Meter { get; }

    /// <summary>The protocol's activity source (one activity per command where the protocol traces).</summary>
    public ActivitySource Source { get; }

    /// <summary>"letterbox.{protocol}.", the start of every instrument name.</summary>
    public string Prefix { get; }

    public void Connected(ILogger log, ClientConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections.Add(1);
        LogConnected(log, Protocol, connection.RemoteEndPoint, connection.ListenerName);
    }

    public void Command(string name) => _commands.Add(1, new KeyValuePair<string, object?>("command", name));

    public void LoggedIn(ILogger log, string user, IPEndPoint remote)
    {
        _logins.Add(1);
        LogLoggedIn(log, Protocol, user, remote);
    }

    /// <summary>Counts and logs a failed login; failures is the count so far on this connection (<see cref="Auth.LoginThrottle.Failures"/>).</summary>
    public void LoginFailed(ILogger log, string user, IPEndPoint remote, int failures)
    {
        _authFailures.Add(1);
        LogLoginFailed(log, Protocol, user, remote, failures);
    }

    public void Ended(ILogger log, IPEndPoint remote, string reason)
    {
        _sessionsEnded.Add(1, new KeyValuePair<string, object?>("reason", reason));
        LogEnded(log, Protocol, remote, reason);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "{Protocol} connection from {Remote} on {Listener}")]
    private static partial void LogConnected(ILogger log, string protocol, IPEndPoint remote, string listener);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "{Protocol} login {User} from {Remote}")]
    private static partial void LogLoggedIn(ILogger log, string protocol, string user, IPEndPoint remote);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "{Protocol} login failed for {User} from {Remote} ({Failures} failures on this connection)")]
    private static partial void LogLoginFailed(ILogger log, string protocol, string user, IPEndPoint remote, int failures);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "{Protocol} session from {Remote} ended: {Reason}")]
    private static partial void LogEnded(ILogger log, string protocol, IPEndPoint remote, string reason);
}
