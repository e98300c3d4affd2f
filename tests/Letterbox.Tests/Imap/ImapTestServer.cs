using System.Net;
using System.Net.Sockets;
using System.Text;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Core.Security;
using Letterbox.Imap;
using Letterbox.Net;
using Letterbox.Store;
using Letterbox.Store.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Tests.Imap;

/// <summary>
/// A real IMAP server for tests: the embedded store and SQLite directory in a temp directory,
/// the real <see cref="ImapServer"/> behind the real <see cref="ConnectionListener"/> on 127.0.0.1 port 0.
/// </summary>
internal sealed class ImapTestServer : IAsyncDisposable
{
    public const string User = "alice@example.com";
    public const string Password = "correct horse battery";
    public const string OtherUser = "bob@example.com";

    private readonly ConnectionListener _listener;

    private ImapTestServer(string root, SqliteAccountDirectory directory, EmbeddedMailStore store, ConnectionListener listener, LetterboxOptions options)
    {
        Root = root;
        Directory = directory;
        Store = store;
        _listener = listener;
        Options = options;
    }

    public string Root { get; }
    public SqliteAccountDirectory Directory { get; }
    public EmbeddedMailStore Store { get; }
    public LetterboxOptions Options { get; }
    public int Port => _listener.LocalEndPoint.Port;

    public static async Task<ImapTestServer> StartAsync(Action<LetterboxOptions>? configure = null, bool startTls = false)
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-imap-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(root);
        var options = new LetterboxOptions { DataDirectory = root };
        // No sleeps in tests: the failed-login delay is configurable and 0 here.
        options.Auth.FailedLoginDelayMs = 0;
        configure?.Invoke(options);
        var directory = await SqliteAccountDirectory.OpenAsync(Path.Combine(root, "directory.db"), options.Accounts);
        await directory.AddDomainAsync("example.com");
        var cheap = new Argon2Parameters(1024, 1, 1);
        await directory.AddUserAsync(EmailAddress.Parse(User), PasswordHasher.Hash(Password, cheap));
        await directory.AddUserAsync(EmailAddress.Parse(OtherUser), PasswordHasher.Hash(Password, cheap));
        var store = EmbeddedMailStore.Open(root, directory);
        var server = new ImapServer(new ImapServerOptions
        {
            Store = store,
            Authenticator = new PasswordAuthenticator(directory),
            Options = options,
            HostName = "mail.example.com",
            LoggerFactory = NullLoggerFactory.Instance,
        });
        var listener = new ConnectionListener(
            new ListenerBinding("imap", new IPEndPoint(IPAddress.Loopback, 0), ImplicitTls: false),
            server, startTls ? CertificateStore.LoadOrCreateSelfSigned(Path.Combine(root, "tls"), "mail.example.com", [], TimeProvider.System) : null,
            new ConnectionLimiter(100, 1000), TimeSpan.FromSeconds(10), NullLogger.Instance);
        listener.Start();
        return new ImapTestServer(root, directory, store, listener, options);
    }

    public async Task<RawImapClient> ConnectRawAsync()
    {
        var client = new RawImapClient();
        await client.ConnectAsync(Port);
        return client;
    }

    /// <summary>A raw client past the greeting and logged in as <see cref="User"/> (tag L1).</summary>
    public async Task<RawImapClient> LoggedInRawAsync()
    {
        var client = await ConnectRawAsync();
        await client.ReadLineAsync();
        Assert.StartsWith("L1 OK", (await client.CommandAsync("L1", $"LOGIN {User} \"{Password}\""))[^1], StringComparison.Ordinal);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await Store.DisposeAsync();
        await Directory.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A line-oriented IMAP client over a real socket, for transcript tests.</summary>
internal sealed class RawImapClient : IDisposable
{
    private readonly TcpClient _tcp = new();
    private Stream _stream = Stream.Null;
    private readonly MemoryStream _pending = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    public async Task ConnectAsync(int port)
    {
        await _tcp.ConnectAsync(IPAddress.Loopback, port);
        _stream = _tcp.GetStream();
    }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendBytesAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next line without CRLF, or null at end of stream. Fails the test after 10 s of silence.</summary>
    public async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            var lf = data.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(data[..lf]).TrimEnd('\r');
                var rest = data[(lf + 1)..].ToArray();
                _pending.SetLength(0);
                _pending.Write(rest);
                return line;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var n = await _stream.ReadAsync(_buffer, timeout.Token);
            if (n == 0)
            {
                return null;
            }
            _pending.Write(_buffer, 0, n);
        }
    }

    /// <summary>Reads lines up to and including the tagged completion for <paramref name="tag"/>.</summary>
    public async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("connection closed; got: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        await SendLineAsync(tag + " " + command);
        return await ReadUntilTaggedAsync(tag);
    }

    /// <summary>Performs the client side of a TLS handshake (STARTTLS), trusting the test certificate.</summary>
    public async Task UpgradeToTlsAsync()
    {
        var ssl = new System.Net.Security.SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("mail.example.com");
        _stream = ssl;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
