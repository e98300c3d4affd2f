using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Mta;

/// <summary>
/// A private Postfix instance the test configures itself (postfix -c DIR, as postmulti's
/// secondary instances are): its own main.cf and master.cf, queue and data directories in a
/// temp directory, one smtpd on 127.0.0.1 and a free port, mail for the test domain handed to
/// Letterbox by Postfix's LMTP client. The system Postfix (port 25) is never touched.
/// Dispose runs <c>postfix -c DIR stop</c>.
/// </summary>
public sealed class PostfixInstance : IAsyncDisposable
{
    public const string PostfixCommand = "/usr/sbin/postfix";

    private readonly TempDirectory _root;
    private bool _started;

    private PostfixInstance(TempDirectory root, int smtpPort)
    {
        _root = root;
        SmtpPort = smtpPort;
    }

    /// <summary>The config directory (main.cf, master.cf).</summary>
    public string ConfigDirectory => _root.Path;
    public int SmtpPort { get; }
    public IPEndPoint Smtp => new(IPAddress.Loopback, SmtpPort);
    public string MailLog => Path.Combine(_root.Path, "maillog");

    /// <summary>
    /// Writes the configuration and starts the instance. <paramref name="transport"/> is Postfix's
    /// next hop, e.g. <c>lmtp:inet:127.0.0.1:24</c> or <c>lmtp:unix:/var/lib/letterbox/lmtp.sock</c>.
    /// A port taken between choosing and binding it is retried with another.
    /// </summary>
    public static async Task<PostfixInstance> StartAsync(string domain, string transport)
    {
        if (!File.Exists(PostfixCommand))
        {
            throw new InvalidOperationException($"{PostfixCommand} is not installed (Debian package postfix); ./test.sh installs it");
        }
        for (var attempt = 1; ; attempt++)
        {
            var instance = new PostfixInstance(new TempDirectory(), FreePort());
            try
            {
                await instance.StartOnceAsync(domain, transport);
                return instance;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                await instance.DisposeAsync();
            }
            catch
            {
                await instance.DisposeAsync();
                throw;
            }
        }
    }

    private async Task StartOnceAsync(string domain, string transport)
    {
        var queue = Path.Combine(_root.Path, "queue");
        var data = Path.Combine(_root.Path, "data");
        Directory.CreateDirectory(queue);
        Directory.CreateDirectory(data);
        // master.lock and the TLS caches live in data_directory, which must belong to mail_owner.
        await RunCheckedAsync("chown", ["postfix", data]);
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "main.cf"), MainCf(queue, data, domain, transport));
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "master.cf"), MasterCf(SmtpPort));
        // postfix-script's checks write to the log; the start is judged by the exit code and the port.
        var start = await ExternalProcess.RunAsync(PostfixCommand, ["-c", _root.Path, "start"]);
        _started = true;
        if (start.ExitCode != 0)
        {
            var log = ReadLog();
            if (log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new PortTakenException();
            }
            throw new InvalidOperationException($"postfix -c {_root.Path} start failed: {start}\n--- maillog ---\n{log}");
        }
        await WaitForSmtpdAsync();
    }

    private static string MainCf(string queue, string data, string domain, string transport) => $"""
        # Written by Letterbox's tests: a private instance, loopback only.
        compatibility_level = 3.6
        queue_directory = {queue}
        data_directory = {data}
        command_directory = /usr/sbin
        daemon_directory = /usr/lib/postfix/sbin
        shlib_directory = /usr/lib/postfix
        mail_owner = postfix
        setgid_group = postdrop
        inet_interfaces = 127.0.0.1
        inet_protocols = ipv4
        myhostname = mx.postfix.test
        mydomain = postfix.test
        mydestination =
        mynetworks = 127.0.0.0/8
        relay_domains =
        alias_maps =
        alias_database =
        local_recipient_maps =
        smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
        virtual_mailbox_domains = {domain}
        virtual_transport = {transport}
        maillog_file = {Path.GetDirectoryName(queue)}/maillog
        maillog_file_prefixes = /tmp, /var
        biff = no
        """;

    /// <summary>Debian's master.cf services, without chroot (the instance has no chroot jail), and one smtpd.</summary>
    private static string MasterCf(int port) => string.Create(CultureInfo.InvariantCulture, $"""
        127.0.0.1:{port} inet n - n - - smtpd
        pickup    unix  n - n 60 1 pickup
        cleanup   unix  n - n - 0 cleanup
        qmgr      unix  n - n 300 1 qmgr
        rewrite   unix  - - n - - trivial-rewrite
        bounce    unix  - - n - 0 bounce
        defer     unix  - - n - 0 bounce
        trace     unix  - - n - 0 bounce
        verify    unix  - - n - 1 verify
        flush     unix  n - n 1000? 0 flush
        proxymap  unix  - - n - - proxymap
        smtp      unix  - - n - - smtp
        relay     unix  - - n - - smtp
        showq     unix  n - n - - showq
        error     unix  - - n - - error
        retry     unix  - - n - - error
        discard   unix  - - n - - discard
        lmtp      unix  - - n - - lmtp
        anvil     unix  - - n - 1 anvil
        scache    unix  - - n - 1 scache
        postlog   unix-dgram n - n - 1 postlogd

        """);

    /// <summary>`postfix start` returns once master is up (master -w); smtpd answers when the port accepts.</summary>
    private async Task WaitForSmtpdAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var wire = await MtaWire.ConnectAsync(Smtp);
                var greeting = await wire.ReadLineAsync();
                if (greeting is not null && greeting.StartsWith("220 ", StringComparison.Ordinal))
                {
                    await wire.CommandAsync("QUIT");
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Postfix's smtpd on {Smtp} did not greet in 30 s\n--- maillog ---\n{ReadLog()}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>What Postfix logged (maillog_file), for failure messages.</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(MailLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "(no maillog)";
        }
    }

    /// <summary>postqueue -p for this instance: "Mail queue is empty" when everything was delivered.</summary>
    public async Task<string> QueueAsync()
    {
        var result = await ExternalProcess.RunAsync("/usr/sbin/postqueue", ["-c", _root.Path, "-p"]);
        return result.Output + result.Error;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            _started = false;
            var master = MasterPid();
            await ExternalProcess.RunAsync(PostfixCommand, ["-c", _root.Path, "stop"]);
            // postfix stop signals master and returns; remove the queue only once master is gone.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (master is not null && Directory.Exists($"/proc/{master}") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
        _root.Dispose();
    }

    private string? MasterPid()
    {
        // master holds a lock on its pid file: read it with sharing that does not ask for one.
        try
        {
            using var stream = new FileStream(Path.Combine(_root.Path, "queue", "pid", "master.pid"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return int.TryParse(reader.ReadToEnd().Trim(), out var pid) ? pid.ToString(CultureInfo.InvariantCulture) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task RunCheckedAsync(string command, string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(command, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)}: {result}");
        }
    }

    private sealed class PortTakenException : Exception;
}
