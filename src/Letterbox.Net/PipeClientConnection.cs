using System.IO.Pipelines;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Letterbox.Net;

/// <summary>
/// An in-memory connection over two pipes, for micro-benchmarks and tests that feed a session
/// pre-built command bytes with no socket. It never offers STARTTLS.
/// </summary>
public sealed class PipeClientConnection : ClientConnection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    [SetsRequiredMembers]
    public PipeClientConnection(bool loopback = true)
    {
        var address = loopback ? IPAddress.Loopback : IPAddress.Parse("192.0.2.1");
        RemoteEndPoint = new IPEndPoint(address, 50000);
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 143);
        ListenerName = "pipe";
    }

    public override PipeReader Input => _toServer.Reader;
    public override PipeWriter Output => _toClient.Writer;

    /// <summary>The client's side: write commands here.</summary>
    public PipeWriter ClientOutput => _toServer.Writer;

    /// <summary>The client's side: read responses here.</summary>
    public PipeReader ClientInput => _toClient.Reader;

    public override bool IsTls => false;
    public override bool CanStartTls => false;
    public override string? TlsDescription => null;

    public override Task UpgradeToTlsAsync(CancellationToken ct) => throw new InvalidOperationException("a pipe connection has no TLS");

    public override async ValueTask DisposeAsync()
    {
        await _toClient.Writer.CompleteAsync().ConfigureAwait(false);
        await _toServer.Reader.CompleteAsync().ConfigureAwait(false);
    }
}
