using System.Net.Sockets;
using System.Text;
using Letterbox.Store;
using Microsoft.Extensions.Logging;

namespace Letterbox.Hosting;

/// <summary>
/// Carries "mailbox changed" from other processes on this machine (<c>letterbox deliver</c>) to the
/// running server's sessions, so an IDLE client sees a locally delivered message at once. A Unix
/// datagram socket in the data directory; each datagram is "accountId mailboxId". Best effort:
/// when no server listens, the sender simply skips it — the message is stored either way and
/// sessions see it at their next command.
/// </summary>
public sealed partial class ChangeRelay : IDisposable
{
    private readonly Socket _socket;
    private readonly IMailboxChangeNotifier _notifier;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _path;

    private ChangeRelay(Socket socket, string path, IMailboxChangeNotifier notifier, ILogger log)
    {
        _socket = socket;
        _path = path;
        _notifier = notifier;
        _log = log;
        _ = ReceiveLoopAsync();
    }

    public static ChangeRelay? Listen(string path, IMailboxChangeNotifier notifier, ILogger log)
    {
        if (!Socket.OSSupportsUnixDomainSockets || path.Length > 100)
        {
            return null;
        }
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new ChangeRelay(socket, path, notifier, log);
    }

    /// <summary>Tells a running server that a mailbox changed; silently does nothing when none runs.</summary>
    public static void Notify(string path, string accountId, long mailboxId)
    {
        if (!Socket.OSSupportsUnixDomainSockets || !File.Exists(path))
        {
            return;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.ASCII.GetBytes($"{accountId} {mailboxId}"), new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // No server: nothing to tell.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[256];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var parts = Encoding.ASCII.GetString(buffer, 0, received).Split(' ');
            if (parts.Length == 2 && parts[0].Length is > 0 and <= 64 && parts[0].All(char.IsAsciiLetterOrDigit) && long.TryParse(parts[1], out var mailboxId))
            {
                _notifier.Publish(parts[0], mailboxId);
            }
            else
            {
                LogMalformed(_log);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        File.Delete(_path);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "change relay: ignored a malformed notification")]
    private static partial void LogMalformed(ILogger log);
}
