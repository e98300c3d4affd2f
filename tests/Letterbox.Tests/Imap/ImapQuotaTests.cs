using System.Text;

namespace Letterbox.Tests.Imap;

/// <summary>QUOTA (RFC 9208) over a real socket: one root "" per account with a STORAGE limit.</summary>
public sealed class ImapQuotaTests
{
    private static async Task<RawImapClient> LoggedInAsync(ImapTestServer server)
    {
        var c = await server.ConnectRawAsync();
        await c.ReadLineAsync();
        Assert.StartsWith("L1 OK", (await c.CommandAsync("L1", "LOGIN alice@example.com \"correct horse battery\""))[^1], StringComparison.Ordinal);
        return c;
    }

    private static async Task<string> AppendAsync(RawImapClient c, string tag, int size)
    {
        var head = "Subject: sized\r\n\r\n";
        var message = head + new string('x', size - head.Length - 2) + "\r\n";
        await c.SendAsync($"{tag} APPEND INBOX {{{Encoding.ASCII.GetByteCount(message)}+}}\r\n{message}\r\n");
        return (await c.ReadUntilTaggedAsync(tag))[^1];
    }

    [Fact]
    public async Task Without_a_limit_there_is_no_quota_root_and_setquota_is_refused()
    {
        await using var server = await ImapTestServer.StartAsync();
        using var c = await LoggedInAsync(server);
        Assert.Contains(" QUOTA QUOTA=RES-STORAGE", (await c.CommandAsync("c1", "CAPABILITY"))[0], StringComparison.Ordinal);
        Assert.Equal(["* QUOTAROOT INBOX", "q1 OK GETQUOTAROOT completed"], await c.CommandAsync("q1", "GETQUOTAROOT INBOX"));
        Assert.Equal("q2 NO [NONEXISTENT] No such quota root", (await c.CommandAsync("q2", "GETQUOTA \"\""))[^1]);
        Assert.Equal("q3 NO [NONEXISTENT] No such mailbox", (await c.CommandAsync("q3", "GETQUOTAROOT Nowhere"))[^1]);
        Assert.Equal("q4 NO [NOPERM] Quotas are set by the server's administrator", (await c.CommandAsync("q4", "SETQUOTA \"\" (STORAGE 512)"))[^1]);
        Assert.StartsWith("q5 BAD", (await c.CommandAsync("q5", "SETQUOTA \"\" (STORAGE)"))[^1], StringComparison.Ordinal);
        Assert.StartsWith("q6 BAD", (await c.CommandAsync("q6", "GETQUOTA"))[^1], StringComparison.Ordinal);
        Assert.StartsWith("n1 OK", (await c.CommandAsync("n1", "NOOP"))[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_limit_usage_is_reported_in_kibibytes_and_appends_past_it_are_refused()
    {
        await using var server = await ImapTestServer.StartAsync();
        server.Store.QuotaBytes = 10 * 1024;
        using var c = await LoggedInAsync(server);
        Assert.StartsWith("a1 OK", await AppendAsync(c, "a1", 3000), StringComparison.Ordinal);

        Assert.Equal(["* QUOTAROOT INBOX \"\"", "* QUOTA \"\" (STORAGE 3 10)", "q1 OK GETQUOTAROOT completed"], await c.CommandAsync("q1", "GETQUOTAROOT INBOX"));
        Assert.Equal(["* QUOTA \"\" (STORAGE 3 10)", "q2 OK GETQUOTA completed"], await c.CommandAsync("q2", "GETQUOTA \"\""));

        // 3,000 + 9,000 octets is past 10 KiB: refused with OVERQUOTA, nothing stored.
        Assert.StartsWith("a2 NO [OVERQUOTA]", await AppendAsync(c, "a2", 9000), StringComparison.Ordinal);
        Assert.Contains("* STATUS INBOX (MESSAGES 1)", await c.CommandAsync("s1", "STATUS INBOX (MESSAGES)"));
    }
}
