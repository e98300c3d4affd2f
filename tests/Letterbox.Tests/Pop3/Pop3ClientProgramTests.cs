using System.Text;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>
/// Real POP3 clients from Debian packages against the server: fetchmail, getmail6, mpop, curl and
/// Python's poplib. Each checks what reached the client against what the store holds.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class Pop3ClientProgramTests
{
    private const int MessageCount = 6;

    private static async Task<Pop3TestServer> ServerWithMailAsync()
    {
        var server = await Pop3TestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        await server.DeliverAsync(Enumerable.Range(0, MessageCount).Select(i => TestMessages.Create(i)).ToArray());
        return server;
    }

    private static string PrivateFile(TempDirectory dir, string name, string text)
    {
        var path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>The Message-IDs found in delivered files, to compare with what was sent.</summary>
    private static HashSet<string> MessageIds(IEnumerable<string> files)
        => files.Select(f => MimeKit.MimeMessage.Load(f).MessageId!).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> Expected => Enumerable.Range(0, MessageCount).Select(i => $"test-{i}@example.net").ToHashSet(StringComparer.Ordinal);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fetchmail_keeps_messages_and_tracks_uidls(bool implicitTls)
    {
        await using var server = await ServerWithMailAsync();
        using var home = new TempDirectory();
        var outDir = Directory.CreateDirectory(Path.Combine(home.Path, "out")).FullName;
        var deliver = PrivateFile(home, "deliver.sh", $"#!/bin/sh\ncat > \"$(mktemp -p {outDir} msg.XXXXXX)\"\n");
        File.SetUnixFileMode(deliver, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var port = implicitTls ? server.Pop3s.Port : server.Pop3.Port;
        var tls = implicitTls ? "ssl" : "sslproto 'tls1.2+'";
        var rc = PrivateFile(home, "fetchmailrc", $"""
            set no bouncemail
            set no syslog
            poll localhost via 127.0.0.1 service {port} proto pop3 uidl
              user "{server.User}" there with password "{Pop3TestServer.Password}" is "root" here
              {tls} sslcertck sslcommonname "localhost" sslcertfile "{server.CertificatePath}"
              keep
              mda "{deliver}"
            """);
        var env = new Dictionary<string, string> { ["HOME"] = home.Path, ["FETCHMAILHOME"] = home.Path };
        string[] args = ["-f", rc, "--idfile", Path.Combine(home.Path, "fetchids"), "-v"];

        var first = await ExternalProcess.RunAsync("fetchmail", args, environment: env);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains(implicitTls ? "SSL" : "STLS", first.Output + first.Error, StringComparison.Ordinal);
        var files = Directory.GetFiles(outDir);
        Assert.Equal(MessageCount, files.Length);
        Assert.Equal(Expected, MessageIds(files));

        // UIDL tracking: nothing new, nothing fetched (exit 1 = no mail), nothing deleted on the server.
        var second = await ExternalProcess.RunAsync("fetchmail", args, environment: env);
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Equal(MessageCount, Directory.GetFiles(outDir).Length);
        Assert.Equal(MessageCount, (await server.InboxAsync()).Count);

        // A new arrival is the only thing the third run fetches.
        await server.DeliverAsync(TestMessages.Create(99));
        var third = await ExternalProcess.RunAsync("fetchmail", args, environment: env);
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(MessageCount + 1, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public async Task Getmail_simple_pop3_ssl_retriever_retrieves_once()
    {
        await using var server = await ServerWithMailAsync();
        using var home = new TempDirectory();
        var maildir = Path.Combine(home.Path, "Maildir");
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }
        PrivateFile(home, "getmailrc", $"""
            [retriever]
            type = SimplePOP3SSLRetriever
            server = 127.0.0.1
            port = {server.Pop3s.Port}
            username = {server.User}
            password = {Pop3TestServer.Password}
            ca_certs = {server.CertificatePath}

            [destination]
            # getmail's Maildir destination refuses to run as root (CI containers); an external MDA may.
            type = MDA_external
            path = /bin/sh
            arguments = ("-c", "cat > $(mktemp -p {maildir}/new msg.XXXXXX)")
            unixfrom = false
            allow_root_commands = true

            [options]
            read_all = false
            delete = false
            message_log_syslog = false
            """);
        string[] args = ["--getmaildir", home.Path, "--rcfile", "getmailrc"];
        var env = new Dictionary<string, string> { ["HOME"] = home.Path };

        var first = await ExternalProcess.RunAsync("getmail", args, environment: env);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"{MessageCount} messages", first.Output, StringComparison.Ordinal);
        Assert.Equal(Expected, MessageIds(Directory.GetFiles(Path.Combine(maildir, "new"))));

        var second = await ExternalProcess.RunAsync("getmail", args, environment: env);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 messages", second.Output, StringComparison.Ordinal);
        Assert.Equal(MessageCount, Directory.GetFiles(Path.Combine(maildir, "new")).Length);
    }

    [Fact]
    public async Task Mpop_stls_only_new()
    {
        await using var server = await ServerWithMailAsync();
        using var home = new TempDirectory();
        var maildir = Path.Combine(home.Path, "Maildir");
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }
        var config = PrivateFile(home, "mpoprc", $"""
            account default
            host 127.0.0.1
            port {server.Pop3.Port}
            user {server.User}
            password {Pop3TestServer.Password}
            tls on
            tls_starttls on
            tls_trust_file {server.CertificatePath}
            uidls_file {home.Path}/uidls
            delivery maildir {maildir}
            keep on
            """);
        string[] args = ["-C", config, "--only-new", "-q"];
        var env = new Dictionary<string, string> { ["HOME"] = home.Path };

        var first = await ExternalProcess.RunAsync("mpop", args, environment: env);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Expected, MessageIds(Directory.GetFiles(Path.Combine(maildir, "new"))));

        await server.DeliverAsync(TestMessages.Create(77));
        var second = await ExternalProcess.RunAsync("mpop", args, environment: env);
        Assert.True(second.ExitCode == 0, second.ToString());
        var files = Directory.GetFiles(Path.Combine(maildir, "new"));
        Assert.Equal(MessageCount + 1, files.Length);
        Assert.Contains("test-77@example.net", MessageIds(files));
        Assert.Equal(MessageCount + 1, (await server.InboxAsync()).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Curl_list_retr_uidl_top_dele(bool implicitTls)
    {
        await using var server = await ServerWithMailAsync();
        var stored = await server.InboxAsync();
        var url = implicitTls ? $"pop3s://127.0.0.1:{server.Pop3s.Port}/" : $"pop3://127.0.0.1:{server.Pop3.Port}/";
        async Task<ProcessResult> Curl(params string[] extra)
        {
            string[] common = ["-sS", "--cacert", server.CertificatePath, "-u", $"{server.User}:{Pop3TestServer.Password}"];
            var result = await ExternalProcess.RunAsync("curl", common.Concat(implicitTls ? [] : new[] { "--ssl-reqd" }).Concat(extra));
            Assert.True(result.ExitCode == 0, result.ToString());
            return result;
        }

        var list = await Curl(url);
        Assert.Equal(stored.Select((m, i) => $"{i + 1} {m.Size}"), list.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        var retr = await Curl(url + "3");
        Assert.Equal(Encoding.UTF8.GetString(TestMessages.Create(2)), retr.Output);

        var uidl = await Curl(url, "-X", "UIDL");
        Assert.Equal(stored.Select((m, i) => $"{i + 1} {m.EmailId}"), uidl.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        var top = await Curl(url, "-X", "TOP 1 0");
        Assert.Contains("Subject: Test message 0", top.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Line 0 of message 0", top.Output, StringComparison.Ordinal);

        await Curl(url + "1", "-X", "DELE", "-I");
        var after = await server.InboxAsync();
        Assert.Equal(stored.Skip(1).Select(m => m.Uid), after.Select(m => m.Uid));
    }

    [Fact]
    public async Task Python_poplib_stls_and_ssl()
    {
        await using var server = await ServerWithMailAsync();
        var before = await server.InboxAsync();
        var script = """
            import json, poplib, ssl, sys
            port, sport, user, password, ca = sys.argv[1:6]
            ctx = ssl.create_default_context(cafile=ca)
            out = {}
            p = poplib.POP3("127.0.0.1", int(port))
            out["caps"] = sorted(p.capa().keys())
            p.stls(context=ctx)
            p.user(user); p.pass_(password)
            out["stat"] = list(p.stat())
            out["uidl"] = [x.decode() for x in p.uidl()[1]]
            out["retr"] = b"\r\n".join(p.retr(2)[1]).decode("utf-8")
            out["top"] = [x.decode() for x in p.top(1, 1)[1]]
            p.dele(1)
            out["quit"] = p.quit().decode()
            s = poplib.POP3_SSL("127.0.0.1", int(sport), context=ctx)
            s.user(user); s.pass_(password)
            out["after"] = list(s.stat())
            try:
                s.retr(99)
            except poplib.error_proto as e:
                out["error"] = str(e)
            s.quit()
            print(json.dumps(out))
            """;
        var result = await ExternalProcess.RunAsync("python3",
            ["-c", script, server.Pop3.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), server.Pop3s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), server.User, Pop3TestServer.Password, server.CertificatePath]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        var stored = await server.InboxAsync();
        Assert.Contains("STLS", root.GetProperty("caps").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(MessageCount, root.GetProperty("stat")[0].GetInt32());
        Assert.Equal(before.Select((m, i) => $"{i + 1} {m.EmailId}"), root.GetProperty("uidl").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Encoding.UTF8.GetString(TestMessages.Create(1)).TrimEnd('\r', '\n'), root.GetProperty("retr").GetString());
        Assert.Contains("Line 0 of message 0: the quick brown fox jumps over the lazy dog.", root.GetProperty("top").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("+OK", root.GetProperty("quit").GetString(), StringComparison.Ordinal);
        Assert.Equal(MessageCount - 1, root.GetProperty("after")[0].GetInt32());
        Assert.Contains("no such message", root.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Skip(1).Select(m => m.Uid), stored.Select(m => m.Uid));
    }
}
