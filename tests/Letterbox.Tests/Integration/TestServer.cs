using System.Net;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Core.Security;
using Letterbox.Hosting;
using Microsoft.Extensions.Logging;

namespace Letterbox.Tests.Integration;

/// <summary>
/// A real Letterbox server hosted in-process on loopback ports chosen by the OS (port 0), with a
/// fresh data directory and one user. Dispose it to stop the server and delete the data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    /// <summary>
    /// Test users get cheap Argon2id parameters (verification reads them from the stored hash), so
    /// hundreds of logins in the suite do not each cost the production 19 MiB hash on 2 cores.
    /// </summary>
    public static readonly Argon2Parameters CheapHash = new(1024, 1, 1);

    private TestServer(LetterboxServer server, TempDirectory data, string user)
    {
        Server = server;
        Data = data;
        User = user;
    }

    public LetterboxServer Server { get; }
    public TempDirectory Data { get; }
    /// <summary>The test user's login (full address).</summary>
    public string User { get; }
    public int ImapPort => Server.EndPoint("imap").Port;
    public int ImapsPort => Server.EndPoint("imaps").Port;
    public IPEndPoint Imap => Server.EndPoint("imap");
    public IPEndPoint Imaps => Server.EndPoint("imaps");
    public IPEndPoint Pop3 => Server.EndPoint("pop3");
    public IPEndPoint Pop3s => Server.EndPoint("pop3s");
    public IPEndPoint Smtp => Server.EndPoint("smtp");
    public IPEndPoint Lmtp => Server.EndPoint("lmtp");
    /// <summary>The self-signed certificate (PEM) the server presents, for clients' CA option.</summary>
    public string CertificatePath => Path.Combine(DataLayout.TlsDirectory(Data.Path), CertificateStoreFile);

    private const string CertificateStoreFile = Net.CertificateStore.SelfSignedCertificateFile;

    public static async Task<TestServer> StartAsync(Action<LetterboxOptions>? configure = null, string user = "alice@example.org")
    {
        var data = new TempDirectory();
        var options = new LetterboxOptions { DataDirectory = data.Path, HostName = "localhost" };
        options.Listeners["imap"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.StartTls };
        options.Listeners["imaps"] = new ListenerOptions { Protocol = ListenerProtocol.Imap, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.ImplicitTls };
        options.Listeners["pop3"] = new ListenerOptions { Protocol = ListenerProtocol.Pop3, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.StartTls };
        options.Listeners["pop3s"] = new ListenerOptions { Protocol = ListenerProtocol.Pop3, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.ImplicitTls };
        options.Listeners["smtp"] = new ListenerOptions { Protocol = ListenerProtocol.Smtp, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.StartTls };
        options.Listeners["lmtp"] = new ListenerOptions { Protocol = ListenerProtocol.Lmtp, Address = "127.0.0.1", Port = 0, Security = ListenerSecurity.None };
        options.Auth.FailedLoginDelayMs = 0;
        // Sender checks (SPF/DKIM/DMARC) would ask the machine's resolvers about test domains; the
        // authentication tests turn them on with a TestDnsServer.
        options.Smtp.AuthenticationChecks = false;
        configure?.Invoke(options);
        LetterboxServer server;
        try
        {
            server = await LetterboxServer.StartAsync(options, dev: true, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)));
        }
        catch
        {
            // Tests of refused configurations end here: leave nothing behind in /tmp.
            data.Dispose();
            throw;
        }
        var address = EmailAddress.Parse(user);
        await server.Directory.AddDomainAsync(address.Domain);
        await server.Directory.AddUserAsync(address, PasswordHasher.Hash(Password, CheapHash));
        return new TestServer(server, data, user);
    }

    /// <summary>Adds another user with <see cref="Password"/>.</summary>
    public async Task AddUserAsync(string user)
    {
        var address = EmailAddress.Parse(user);
        if (!await Server.Directory.IsLocalDomainAsync(address.Domain))
        {
            await Server.Directory.AddDomainAsync(address.Domain);
        }
        await Server.Directory.AddUserAsync(address, PasswordHasher.Hash(Password, CheapHash));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Data.Dispose();
    }
}

/// <summary>A directory under /tmp deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "letterbox-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
