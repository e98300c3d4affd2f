using System.IO.Pipelines;
using System.Net;

namespace Letterbox.Net;

/// <summary>
/// One client connection as a protocol session sees it: a pipe pair that may be upgraded to TLS
/// (STARTTLS / STLS). Read <see cref="Input"/> and <see cref="Output"/> afresh after an upgrade.
/// </summary>
public abstract class ClientConnection : IAsyncDisposable
{
    public abstract PipeReader Input { get; }
    public abstract PipeWriter Output { get; }
    public required IPEndPoint RemoteEndPoint { get; init; }
    public required IPEndPoint LocalEndPoint { get; init; }
    /// <summary>The listener's name from configuration (imap, imaps...).</summary>
    public required string ListenerName { get; init; }
    /// <summary>True for a Unix domain socket peer: a process on this machine, with no IP address.</summary>
    public bool IsLocalSocket { get; init; }
    /// <summary>The peer is on this machine: a loopback address or a Unix socket (plaintext policy treats both as local).</summary>
    public bool IsLoopback => IsLocalSocket || IPAddress.IsLoopback(RemoteEndPoint.Address);

    /// <summary>True once the connection is encrypted (implicit TLS, or after STARTTLS).</summary>
    public abstract bool IsTls { get; }
    /// <summary>True when STARTTLS is possible: not yet TLS, and a certificate is configured.</summary>
    public abstract bool CanStartTls { get; }
    /// <summary>"TLSv1.3 with TLS_AES_256_GCM_SHA384", for Received headers and logs; null in plaintext.</summary>
    public abstract string? TlsDescription { get; }

    /// <summary>
    /// Performs the TLS handshake as server. Every byte the client sent after the STARTTLS
    /// command and that is still unread is discarded first (RFC 3207 §4.2, RFC 2595 §3.1 injection defence).
    /// </summary>
    public abstract Task UpgradeToTlsAsync(CancellationToken ct);

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>
    /// straight from the file to the peer, after everything written to <see cref="Output"/> so far
    /// (which it flushes first). Returns false, having sent nothing and flushed nothing, when the
    /// connection cannot do that (TLS, in-memory pipes): the caller then copies through <see cref="Output"/>.
    /// </summary>
    public virtual ValueTask<bool> TrySendFileAsync(FileStream file, long offset, long count, CancellationToken ct) => ValueTask.FromResult(false);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A protocol server: runs one session per accepted connection.</summary>
public interface IConnectionHandler
{
    Task HandleAsync(ClientConnection connection, CancellationToken stopping);
}
