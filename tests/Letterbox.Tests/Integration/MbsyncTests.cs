using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>
/// isync (mbsync) two-way sync of 550 varied messages between Letterbox and a local Maildir:
/// messages, flags, deletions and new folders travel both ways, bodies stay byte-identical,
/// and a second run with nothing changed changes nothing.
/// </summary>
public sealed class MbsyncTests
{
    [Fact]
    public async Task Two_way_sync_of_550_messages_with_flags_deletions_and_folders()
    {
        await using var server = await TestServer.StartAsync();
        var maildir = Path.Combine(server.Data.Path, "..", Path.GetFileName(server.Data.Path) + "-maildir");
        Directory.CreateDirectory(maildir);
        try
        {
            await RunScenarioAsync(server, maildir);
        }
        finally
        {
            Directory.Delete(maildir, recursive: true);
        }
    }

    private static async Task RunScenarioAsync(TestServer server, string maildir)
    {
        var config = Path.Combine(maildir, "mbsyncrc");
        await File.WriteAllTextAsync(config, $"""
            IMAPAccount letterbox
            Host 127.0.0.1
            Port {server.ImapsPort}
            User {server.User}
            Pass "{TestServer.Password}"
            SSLType IMAPS
            SSLVersions TLSv1.2 TLSv1.3
            CertificateFile {server.CertificatePath}

            IMAPStore remote
            Account letterbox

            MaildirStore local
            Path {maildir}/mail/
            Inbox {maildir}/mail/INBOX
            SubFolders Verbatim

            Channel both
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Remove Both
            Expunge Both
            SyncState *
            Sync All

            """);

        // 300 messages on the server, 250 in the local INBOX, 5 in a local-only folder.
        using var client = await ConnectAsync(server);
        for (var i = 0; i < 300; i += 50)
        {
            var batch = Enumerable.Range(i, 50).Select(n => new AppendRequest(MimeMessage.Load(new MemoryStream(TestMessages.Create(n))), MessageFlags.None)).ToList<IAppendRequest>();
            await client.Inbox.AppendAsync(batch);
        }
        WriteMaildir(Path.Combine(maildir, "mail", "INBOX"), Enumerable.Range(1000, 250));
        WriteMaildir(Path.Combine(maildir, "mail", "LocalFolder"), Enumerable.Range(2000, 5));

        await RunMbsyncAsync(config);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(550, client.Inbox.Count);
        Assert.Equal(550, MaildirFiles(maildir, "INBOX").Count);
        var localFolder = await client.GetFolderAsync("LocalFolder");
        await localFolder.StatusAsync(StatusItems.Count);
        Assert.Equal(5, localFolder.Count);

        // Bodies are byte-identical on both sides, up to the line ends: mbsync keeps Maildir files
        // with LF line ends and converts them to CRLF on the wire (and drops its X-TUID header).
        var serverBodies = await BodiesByMessageIdAsync(client.Inbox);
        foreach (var file in MaildirFiles(maildir, "INBOX"))
        {
            var local = StripTuid(await File.ReadAllBytesAsync(file));
            var id = MimeMessage.Load(new MemoryStream(local)).MessageId!;
            Assert.True(serverBodies.TryGetValue(id, out var remote), $"message {id} is not on the server");
            Assert.True(ToLf(local).AsSpan().SequenceEqual(ToLf(StripTuid(remote))), $"message {id} differs between server and maildir");
        }

        // Changes on both sides: server flags 10 and deletes 5; local marks 10 seen, deletes 5; a folder each.
        var uids = await client.Inbox.SearchAsync(SearchQuery.All);
        await client.Inbox.AddFlagsAsync(uids.Take(10).ToList(), MessageFlags.Flagged, silent: true);
        await client.Inbox.AddFlagsAsync(uids.Skip(10).Take(5).ToList(), MessageFlags.Deleted, silent: true);
        await client.Inbox.ExpungeAsync();
        var serverFolder = await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("ServerFolder", true);
        await serverFolder!.AppendAsync(Enumerable.Range(3000, 3).Select(n => (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(TestMessages.Create(n))), MessageFlags.Seen)).ToList());
        var localFiles = MaildirFiles(maildir, "INBOX").Where(f => !f.Contains(",F", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var toSee = localFiles.Skip(100).Take(10).ToList();
        var seenIds = new HashSet<string>();
        foreach (var f in toSee)
        {
            seenIds.Add(MimeMessage.Load(f).MessageId!);
            File.Move(f, AddMaildirFlag(f, 'S'));
        }
        var deletedIds = new HashSet<string>();
        foreach (var f in localFiles.Skip(200).Take(5))
        {
            deletedIds.Add(MimeMessage.Load(f).MessageId!);
            File.Delete(f);
        }
        await client.Inbox.CloseAsync();

        await RunMbsyncAsync(config);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(550 - 5 - 5, client.Inbox.Count);
        Assert.Equal(550 - 5 - 5, MaildirFiles(maildir, "INBOX").Count);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId);
        foreach (var s in summaries)
        {
            Assert.False(deletedIds.Contains(s.Envelope!.MessageId!), $"{s.Envelope.MessageId} should have been deleted");
            if (seenIds.Contains(s.Envelope.MessageId!))
            {
                Assert.True(s.Flags!.Value.HasFlag(MessageFlags.Seen), $"{s.Envelope.MessageId} should be \\Seen on the server");
            }
        }
        Assert.Equal(10, MaildirFiles(maildir, "INBOX").Count(f => Path.GetFileName(f).Split(":2,").Last().Contains('F', StringComparison.Ordinal)));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(maildir, "mail", "ServerFolder", "cur")).Length + Directory.GetFiles(Path.Combine(maildir, "mail", "ServerFolder", "new")).Length);

        // Nothing changed: a third run must change nothing on either side.
        var serverBefore = Snapshot(summaries);
        var localBefore = MaildirFiles(maildir, "INBOX").Order(StringComparer.Ordinal).ToList();
        await client.Inbox.CloseAsync();
        await RunMbsyncAsync(config);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var serverAfter = Snapshot(await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.UniqueId));
        Assert.Equal(serverBefore, serverAfter);
        Assert.Equal(localBefore, MaildirFiles(maildir, "INBOX").Order(StringComparer.Ordinal).ToList());
        await client.DisconnectAsync(true);
    }

    private static List<string> Snapshot(IEnumerable<IMessageSummary> summaries)
        => [.. summaries.Select(s => $"{s.UniqueId.Id} {s.Flags}")];

    private static async Task RunMbsyncAsync(string config)
    {
        var result = await ExternalProcess.RunAsync("mbsync", ["-c", config, "-a"], timeoutSeconds: 300);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task<ImapClient> ConnectAsync(TestServer server)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(server.User, TestServer.Password);
        return client;
    }

    private static async Task<Dictionary<string, byte[]>> BodiesByMessageIdAsync(IMailFolder folder)
    {
        var result = new Dictionary<string, byte[]>();
        for (var i = 0; i < folder.Count; i++)
        {
            using var stream = await folder.GetStreamAsync(i, "");
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            var bytes = copy.ToArray();
            result[MimeMessage.Load(new MemoryStream(bytes)).MessageId!] = bytes;
        }
        return result;
    }

    private static void WriteMaildir(string folder, IEnumerable<int> numbers)
    {
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }
        foreach (var n in numbers)
        {
            File.WriteAllBytes(Path.Combine(folder, "new", $"1700000000.local-{n}.test"), TestMessages.Create(n));
        }
    }

    private static List<string> MaildirFiles(string maildir, string folder)
        => [.. new[] { "cur", "new" }.SelectMany(sub => Directory.GetFiles(Path.Combine(maildir, "mail", folder, sub)))];

    private static string AddMaildirFlag(string path, char flag)
    {
        var name = Path.GetFileName(path);
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(path))!, "cur");
        var at = name.IndexOf(":2,", StringComparison.Ordinal);
        var flags = at < 0 ? "" : name[(at + 3)..];
        var bare = at < 0 ? name : name[..at];
        return Path.Combine(dir, bare + ":2," + new string([.. (flags + flag).Distinct().Order()]));
    }

    private static byte[] ToLf(byte[] message) => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(message).Replace("\r\n", "\n", StringComparison.Ordinal));

    private static byte[] StripTuid(byte[] message)
    {
        var text = System.Text.Encoding.UTF8.GetString(message);
        var start = text.IndexOf("X-TUID: ", StringComparison.Ordinal);
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal) is >= 0 and var lf ? lf : text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (start < 0 || (headerEnd >= 0 && start > headerEnd))
        {
            return message;
        }
        var end = text.IndexOf('\n', start);
        return System.Text.Encoding.UTF8.GetBytes(text.Remove(start, end - start + 1));
    }
}
