using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Letterbox.Net;

/// <summary>
/// What a listener binds and how it secures connections: an <see cref="IPEndPoint"/>, or a
/// <see cref="UnixDomainSocketEndPoint"/> whose file gets <see cref="SocketMode"/>.
/// </summary>
public sealed record ListenerBinding(string Name, EndPoint EndPoint, bool ImplicitTls)
{
    /// <summary>Permissions for a Unix socket file (chmod after bind); null leaves the process umask's.</summary>
    public UnixFileMode? SocketMode { get; init; }
}

/// <summary>
/// Accepts connections on one endpoint and runs the protocol handler for each on the thread pool
/// (no thread per connection). Applies the connection limits and the implicit-TLS handshake.
/// Unix socket peers have no IP address: only the total connection limit applies to them.
/// </summary>
public sealed partial class ConnectionListener : IAsyncDisposable
{
    private static readonly Meter NetMeter = new("Letterbox.Net");
    private static readonly Counter<long> Accepted = NetMeter.CreateCounter<long>("letterbox.connections.accepted");
    private static readonly Counter<long> Refused = NetMeter.CreateCounter<long>("letterbox.connections.refused");
    private static readonly Counter<long> TlsFailures = NetMeter.CreateCounter<long>("letterbox.tls.handshake_failures");

    private readonly ListenerBinding _binding;
    private readonly IConnectionHandler _handler;
    private readonly TlsContext? _tls;
    private readonly ConnectionLimiter _limiter;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _log;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    // Sessions running, and a signal for the last one to end once stopping: a counter instead of a
    // set of tasks with a ContinueWith each, which cost ~200 bytes per connection (issue 6: 10,000 IDLE sessions).
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private Task? _acceptLoop;
    private bool _ownsSocketFile;

    public ConnectionListener(ListenerBinding binding, IConnectionHandler handler, TlsContext? tls, ConnectionLimiter limiter, TimeSpan handshakeTimeout, ILogger log)
    {
        if (binding.ImplicitTls && tls is null)
        {
            throw new ArgumentException($"listener {binding.Name} needs a certificate for implicit TLS", nameof(tls));
        }
        _binding = binding;
        _handler = handler;
        _tls = tls;
        _limiter = limiter;
        _handshakeTimeout = handshakeTimeout;
        _log = log;
        if (binding.EndPoint is UnixDomainSocketEndPoint unix)
        {
            SocketPath = unix.ToString();
            _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        else
        {
            _socket = new Socket(binding.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (binding.EndPoint is IPEndPoint ip && ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }
        }
    }

    public string Name => _binding.Name;
    public bool ImplicitTls => _binding.ImplicitTls;

    /// <summary>The bound endpoint (with the real port when 0 was asked); for a Unix socket listener, see <see cref="SocketPath"/>.</summary>
    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint as IPEndPoint
        ?? throw new InvalidOperationException($"listener {_binding.Name} listens on a Unix socket, not an IP endpoint");

    /// <summary>The socket file of a Unix socket listener; null for an IP listener.</summary>
    public string? SocketPath { get; }

    /// <summary>"unix:/var/lib/letterbox/lmtp.sock" or "127.0.0.1:24", for logs and the start-up banner.</summary>
    public string DisplayAddress => SocketPath is null ? LocalEndPoint.ToString() : "unix:" + SocketPath;

    /// <summary>Binds and starts accepting. Binding errors (port in use, no permission) are thrown here, at start.</summary>
    public void Start()
    {
        if (SocketPath is not null)
        {
            StartUnix(SocketPath);
            return;
        }
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            _socket.Bind(_binding.EndPoint);
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is already in use by another program",
                SocketError.AccessDenied => "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                SocketError.AddressNotAvailable => "that address is not on this machine",
                _ => e.Message,
            };
            throw new ListenerException($"cannot listen on {_binding.EndPoint} for {_binding.Name}: {why}");
        }
        _socket.Listen(512);
        _acceptLoop = AcceptLoopAsync();
    }

    private void StartUnix(string path)
    {
        UnixSocketFile.PrepareForBind(_binding.Name, path);
        try
        {
            _socket.Bind(_binding.EndPoint);
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode == SocketError.AccessDenied ? "permission denied on its directory" : e.Message;
            throw new ListenerException($"cannot listen on unix:{path} for {_binding.Name}: {why}");
        }
        _ownsSocketFile = true;
        if (_binding.SocketMode is { } mode)
        {
            UnixSocketFile.SetMode(_binding.Name, path, mode);
        }
        _socket.Listen(512);
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_log, _binding.Name, e.SocketErrorCode);
                continue;
            }
            Interlocked.Increment(ref _running);
            _ = RunAsync(client);
        }
    }

    private async Task RunAsync(Socket client)
    {
        try
        {
            await Task.Yield();
            var isUnix = SocketPath is not null;
            var remote = isUnix ? Endpoints.UnixPeer : Endpoints.Normalize((IPEndPoint)client.RemoteEndPoint!);
            IPAddress? limitedAddress = isUnix ? null : remote.Address;
            if (!_limiter.TryAcquire(limitedAddress))
            {
                Refused.Add(1);
                LogRefused(_log, _binding.Name, remote);
                await RefuseAsync(client).ConfigureAwait(false);
                return;
            }
            try
            {
                Accepted.Add(1);
                TcpClientConnection connection;
                try
                {
                    connection = await TcpClientConnection.AcceptAsync(client, _binding.Name, _tls, _binding.ImplicitTls, _handshakeTimeout, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
                {
                    TlsFailures.Add(1);
                    LogHandshakeFailed(_log, _binding.Name, remote, e.Message);
                    client.Dispose();
                    return;
                }
                await using (connection.ConfigureAwait(false))
                {
                    try
                    {
                        await _handler.HandleAsync(connection, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        // The client went away or the server is stopping: an ordinary end of a session.
                    }
                    catch (Exception e)
                    {
                        LogSessionCrashed(_log, e, _binding.Name, remote);
                    }
                }
            }
            finally
            {
                _limiter.Release(limitedAddress);
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    private async Task RefuseAsync(Socket client)
    {
        try
        {
            if (_handler is IConnectionRefusal refusal && !_binding.ImplicitTls)
            {
                await client.SendAsync(refusal.TooManyConnections, SocketFlags.None).ConfigureAwait(false);
            }
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Stops accepting, cancels the sessions (they say BYE) and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_ownsSocketFile)
        {
            File.Delete(SocketPath!);
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        // No session starts after the accept loop ended; one ending from here on sees stopping set.
        if (Volatile.Read(ref _running) > 0)
        {
            await _drained.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Listener}: accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger log, string listener, SocketError error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Listener}: refused {Remote}: too many connections")]
    private static partial void LogRefused(ILogger log, string listener, IPEndPoint remote);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Listener}: TLS handshake with {Remote} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger log, string listener, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "{Listener}: session with {Remote} failed")]
    private static partial void LogSessionCrashed(ILogger log, Exception e, string listener, IPEndPoint remote);
}

/// <summary>A listener cannot start; the message says which one and why.</summary>
public sealed class ListenerException(string message) : Exception(message);
