using System.Diagnostics;

namespace Letterbox.Tests.Imap;

/// <summary>A real third-party client: Python's imaplib against the server over loopback.</summary>
public sealed class ImapPythonClientTests
{
    private const string Script = """
        import imaplib, sys
        port = int(sys.argv[1])
        m = imaplib.IMAP4("127.0.0.1", port)
        assert "IMAP4REV2" in m.capabilities, m.capabilities
        m.login("alice@example.com", "correct horse battery")
        typ, _ = m.append("INBOX", r"(\Flagged)", None, b"Subject: from python\r\n\r\nhello imaplib\r\n")
        assert typ == "OK", typ
        typ, data = m.select("INBOX")
        assert typ == "OK" and data[0] == b"1", data
        typ, data = m.search(None, "BODY", "imaplib")
        assert data[0] == b"1", data
        typ, data = m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: from python" in data[0][1], data
        typ, data = m.uid("FETCH", "1", "(RFC822.SIZE)")
        assert b"UID 1" in data[0] and b"RFC822.SIZE 39" in data[0], data
        typ, data = m.list()
        assert any(b"\\Sent" in line for line in data), data
        m.logout()
        print("ok")
        """;

    [Fact]
    public async Task Python_imaplib_session()
    {
        await using var server = await ImapTestServer.StartAsync();
        var scriptPath = Path.Combine(server.Root, "client.py");
        await File.WriteAllTextAsync(scriptPath, Script);
        var start = new ProcessStartInfo("python3", [scriptPath, server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal("ok", (await stdout).Trim());
    }
}
