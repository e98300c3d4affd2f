using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Letterbox.Discovery;

namespace Letterbox.Tests.Discovery;

/// <summary>How a fake mail server misbehaves (or behaves).</summary>
public enum FakeMode
{
    /// <summary>TLS from the first byte, then greeting.</summary>
    ImplicitTls,
    /// <summary>Plaintext greeting, STARTTLS/STLS offered and honoured.</summary>
    StartTls,
    /// <summary>Plaintext greeting and no TLS at all.</summary>
    PlainOnly,
}

/// <summary>
/// A tiny IMAP/POP3/SMTP server on a loopback address and a real port, for the broken set-ups our
/// own server never produces. It can reset the first N connections (a transient failure).
/// </summary>
public sealed class FakeMailServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly MailProtocol _protocol;
    private readonly FakeMode _mode;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _resetsLeft;
    private int _accepted;

    public FakeMailServer(string address, int port, MailProtocol protocol, FakeMode mode, X509Certificate2? certificate = null, int resetFirst = 0)
    {
        _protocol = protocol;
        _mode = mode;
        _certificate = certificate;
        _resetsLeft = resetFirst;
        _listener = new TcpListener(IPAddress.Parse(address), port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>Connections accepted so far (resets included).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            if (Interlocked.Decrement(ref _resetsLeft) >= 0)
            {
                socket.LingerState = new LingerOption(true, 0); // close with RST
                socket.Close();
                continue;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: true);
            Stream stream = network;
            if (_mode == FakeMode.ImplicitTls)
            {
                stream = await SecureAsync(network);
            }
            var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            await WriteAsync(stream, Greeting());
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var (reply, upgrade) = Answer(line, stream is SslStream);
                await WriteAsync(stream, reply);
                if (reply.Length == 0 && line.StartsWith("a9", StringComparison.Ordinal) || line.Equals("QUIT", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
                if (upgrade)
                {
                    stream = await SecureAsync(network);
                    reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client went away or refused our certificate: exactly what some tests provoke.
        }
    }

    private async Task<SslStream> SecureAsync(Stream inner)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
        return tls;
    }

    private string Greeting() => _protocol switch
    {
        MailProtocol.Imap => "* OK fake IMAP ready\r\n",
        MailProtocol.Pop3 => "+OK fake POP3 ready\r\n",
        _ => "220 fake.test ESMTP\r\n",
    };

    private (string Reply, bool Upgrade) Answer(string line, bool secured)
    {
        var offerTls = _mode == FakeMode.StartTls && !secured;
        switch (_protocol)
        {
            case MailProtocol.Imap:
            {
                var parts = line.Split(' ', 2);
                var tag = parts[0];
                var command = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
                return command switch
                {
                    "CAPABILITY" => ($"* CAPABILITY IMAP4rev1{(offerTls ? " STARTTLS LOGINDISABLED" : "")}{(secured || _mode == FakeMode.PlainOnly ? " AUTH=PLAIN" : "")}\r\n{tag} OK done\r\n", false),
                    "STARTTLS" when offerTls => ($"{tag} OK begin TLS\r\n", true),
                    "LOGOUT" => ($"* BYE\r\n{tag} OK bye\r\n", false),
                    _ => ($"{tag} BAD unknown\r\n", false),
                };
            }
            case MailProtocol.Pop3:
                return line.ToUpperInvariant() switch
                {
                    "CAPA" => ($"+OK\r\nUSER\r\n{(offerTls ? "STLS\r\n" : "")}SASL PLAIN\r\n.\r\n", false),
                    "STLS" when offerTls => ("+OK begin TLS\r\n", true),
                    "QUIT" => ("+OK bye\r\n", false),
                    _ => ("-ERR unknown\r\n", false),
                };
            default:
                var verb = line.Split(' ')[0].ToUpperInvariant();
                return verb switch
                {
                    "EHLO" => ($"250-fake.test\r\n{(offerTls ? "250-STARTTLS\r\n" : "")}250 AUTH PLAIN LOGIN\r\n", false),
                    "STARTTLS" when offerTls => ("220 go ahead\r\n", true),
                    "QUIT" => ("221 bye\r\n", false),
                    _ => ("502 unknown\r\n", false),
                };
        }
    }

    private async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
