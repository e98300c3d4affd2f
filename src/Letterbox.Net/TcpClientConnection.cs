using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Letterbox.Net;

/// <summary>
/// A TCP (or Unix domain socket) connection, optionally wrapped in TLS. Pipes are created over the current stream with
/// <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions?)"/>, which reads only when the
/// session asks: nothing is read ahead of the session, so at STARTTLS every byte already
/// buffered was sent by the client after the command, and completing the old reader discards it.
/// </summary>
public sealed class TcpClientConnection : ClientConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TlsContext? _tls;
    private readonly TimeSpan _handshakeTimeout;
    private Stream _stream;
    private SslStream? _ssl;
    private PipeReader _input;
    private PipeWriter _output;

    private TcpClientConnection(Socket socket, TlsContext? tls, TimeSpan handshakeTimeout)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _tls = tls;
        _handshakeTimeout = handshakeTimeout;
        _stream = _network;
        (_input, _output) = CreatePipes(_stream);
    }

    public override PipeReader Input => _input;
    public override PipeWriter Output => _output;
    public override bool IsTls => _ssl is not null;
    public override bool CanStartTls => _ssl is null && _tls is not null;
    public override string? TlsDescription => _ssl is null ? null : $"{TlsNames.Protocol(_ssl.SslProtocol)} with {_ssl.NegotiatedCipherSuite}";

    /// <summary>Wraps an accepted socket; with <paramref name="implicitTls"/> the handshake happens before it returns.</summary>
    public static async Task<TcpClientConnection> AcceptAsync(Socket socket, string listenerName, TlsContext? tls, bool implicitTls, TimeSpan handshakeTimeout, CancellationToken ct)
    {
        var isUnix = socket.AddressFamily == AddressFamily.Unix;
        if (!isUnix)
        {
            socket.NoDelay = true;
        }
        var connection = new TcpClientConnection(socket, tls, handshakeTimeout)
        {
            RemoteEndPoint = isUnix ? Endpoints.UnixPeer : Endpoints.Normalize((System.Net.IPEndPoint)socket.RemoteEndPoint!),
            LocalEndPoint = isUnix ? Endpoints.UnixPeer : Endpoints.Normalize((System.Net.IPEndPoint)socket.LocalEndPoint!),
            ListenerName = listenerName,
            IsLocalSocket = isUnix,
        };
        if (implicitTls)
        {
            try
            {
                await connection.HandshakeAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return connection;
    }

    public override async Task UpgradeToTlsAsync(CancellationToken ct)
    {
        if (!CanStartTls)
        {
            throw new InvalidOperationException("TLS is already active or not configured.");
        }
        await _output.FlushAsync(ct).ConfigureAwait(false);
        // RFC 3207 §4.2 / RFC 2595 §3.1: plaintext sent after STARTTLS must not be acted on.
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        await HandshakeAsync(ct).ConfigureAwait(false);
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_handshakeTimeout);
        await ssl.AuthenticateAsServerAsync(_tls!.ServerOptions, timeout.Token).ConfigureAwait(false);
        _ssl = ssl;
        _stream = ssl;
        (_input, _output) = CreatePipes(_stream);
    }

    /// <summary>
    /// Plaintext only: the kernel moves the file's pages to the socket (sendfile), with no copy into
    /// this process and none back out of it. For FETCH BODY[] of large messages that halves the
    /// copying per byte. Under TLS the bytes must pass through SslStream, so it declines.
    /// </summary>
    public override async ValueTask<bool> TrySendFileAsync(FileStream file, long offset, long count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (_ssl is not null || count <= 0 || count > int.MaxValue)
        {
            return false;
        }
        var flushed = await _output.FlushAsync(ct).ConfigureAwait(false);
        if (flushed.IsCanceled)
        {
            throw new OperationCanceledException(ct);
        }
        using var args = new SocketAsyncEventArgs
        {
            SendPacketsElements = [new SendPacketsElement(file, offset, (int)count, endOfPacket: false)],
        };
        var done = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
        args.Completed += (_, e) => done.TrySetResult(e.SocketError);
        using (ct.UnsafeRegister(static s => ((Socket)s!).Dispose(), _socket))
        {
            var error = _socket.SendPacketsAsync(args) ? await done.Task.ConfigureAwait(false) : args.SocketError;
            ct.ThrowIfCancellationRequested();
            if (error != SocketError.Success)
            {
                throw new IOException("sending a stored file failed", new SocketException((int)error));
            }
        }
        return true;
    }

    // useZeroByteReads: a read first waits for data with an empty buffer (the socket, or SslStream
    // over it, supports zero-byte reads) and rents its 16 KB buffer only once bytes have arrived, so
    // a connection waiting for its client (IDLE, between commands) holds no buffer: 10,000 idle
    // sessions held 10,000 × 16 KB = 160 MB of pooled arrays without it. All consumed segments go
    // back to the pool at AdvanceTo. The cost is one more (non-blocking) receive call per read.
    // The options are immutable: one instance for every connection instead of two objects each.
    private static readonly StreamPipeReaderOptions s_readerOptions = new(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true);
    private static readonly StreamPipeWriterOptions s_writerOptions = new(minimumBufferSize: 16 * 1024, leaveOpen: true);

    private static (PipeReader, PipeWriter) CreatePipes(Stream stream) => (
        PipeReader.Create(stream, s_readerOptions),
        PipeWriter.Create(stream, s_writerOptions));

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
            await _input.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The peer is gone; nothing left to flush.
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        if (_ssl is not null)
        {
            await _ssl.DisposeAsync().ConfigureAwait(false);
        }
        await _network.DisposeAsync().ConfigureAwait(false);
    }
}
