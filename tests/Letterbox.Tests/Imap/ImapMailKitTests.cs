using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Letterbox.Tests.Imap;

/// <summary>End-to-end: MailKit's ImapClient against the real server and store over loopback TCP.</summary>
public sealed class ImapMailKitTests : IAsyncLifetime
{
    private ImapTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ImapTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<ImapClient> ConnectAsync(string user = ImapTestServer.User)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", _server.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, ImapTestServer.Password);
        return client;
    }

    private static byte[] Sample(string subject, string body, string date = "Mon, 02 Mar 2026 10:00:00 +0000") => Encoding.UTF8.GetBytes(
        "From: Ann Example <ann@example.org>\r\n" +
        "To: alice@example.com\r\n" +
        $"Subject: {subject}\r\n" +
        $"Date: {date}\r\n" +
        "Message-ID: <" + Guid.NewGuid().ToString("N") + "@example.org>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
        "\r\n" +
        "--b1\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        body + "\r\n" +
        "--b1\r\n" +
        "Content-Type: application/octet-stream; name=\"data.bin\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"data.bin\"\r\n" +
        "\r\n" +
        Convert.ToBase64String([0, 1, 2, 3, 250, 251, 252]) + "\r\n" +
        "--b1--\r\n");

    private static async Task<UniqueId> AppendAsync(IMailFolder folder, byte[] raw, MessageFlags flags = MessageFlags.None)
    {
        var message = MimeMessage.Load(new MemoryStream(raw));
        var uid = await folder.AppendAsync(new AppendRequest(message, flags));
        Assert.NotNull(uid);
        return uid!.Value;
    }

    [Fact]
    public async Task Login_lists_special_use_folders()
    {
        using var client = await ConnectAsync();
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.SpecialUse));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.UidPlus));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Move));
        Assert.Equal("Sent", client.GetFolder(SpecialFolder.Sent)!.FullName);
        Assert.Equal("Trash", client.GetFolder(SpecialFolder.Trash)!.FullName);
        Assert.Equal("Drafts", client.GetFolder(SpecialFolder.Drafts)!.FullName);
        Assert.Equal("Junk", client.GetFolder(SpecialFolder.Junk)!.FullName);
        Assert.Equal("Archive", client.GetFolder(SpecialFolder.Archive)!.FullName);
        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0]);
        Assert.Contains(folders, f => f.FullName == "INBOX");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Append_then_fetch_is_byte_identical_with_structure_and_binary()
    {
        using var client = await ConnectAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var raw = Sample("Byte check", "Hello, wörld");
        var uid = await AppendAsync(inbox, raw);

        using (var stream = await inbox.GetStreamAsync(uid, string.Empty))
        using (var copy = new MemoryStream())
        {
            await stream.CopyToAsync(copy);
            Assert.Equal(raw, copy.ToArray());
        }
        var summaries = await inbox.FetchAsync([uid], MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.Size | MessageSummaryItems.Flags | MessageSummaryItems.InternalDate);
        var summary = Assert.Single(summaries);
        Assert.Equal("Byte check", summary.Envelope!.Subject);
        Assert.Equal((uint)raw.Length, summary.Size);
        Assert.Equal(2, summary.BodyParts!.Count());
        var attachment = Assert.Single(summary.Attachments!);
        Assert.Equal("data.bin", attachment.FileName);

        var part = (MimePart)await inbox.GetBodyPartAsync(uid, attachment);
        using var decoded = new MemoryStream();
        await part.Content!.DecodeToAsync(decoded);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 250, 251, 252 }, decoded.ToArray());

        // MailKit reads with BODY.PEEK / BINARY.PEEK: \Seen stays unset.
        var flags = Assert.Single(await inbox.FetchAsync([uid], MessageSummaryItems.Flags));
        Assert.False(flags.Flags!.Value.HasFlag(MessageFlags.Seen));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Large_append_is_spooled_and_fetched_back_byte_identical()
    {
        using var client = await ConnectAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var body = new StringBuilder();
        for (var i = 0; i < 6000; i++)
        {
            body.Append("line ").Append(i).Append(" of a large message body, long enough to pass the spool threshold\r\n");
        }
        var raw = Sample("Large", body.ToString());
        Assert.True(raw.Length > 256 * 1024);
        var uid = await AppendAsync(inbox, raw);
        using var stream = await inbox.GetStreamAsync(uid, string.Empty);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(raw, copy.ToArray());
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Large_sections_and_partials_sent_from_the_file_are_the_right_bytes_in_order()
    {
        // Plaintext connections hand bodies of 64 KB and more to the kernel (sendfile) after
        // flushing what precedes them: offsets, lengths and the order of responses must still hold.
        using var client = await ConnectAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var body = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            body.Append("row ").Append(i).Append(" of a body that crosses the sendfile threshold several times\r\n");
        }
        var raw = Sample("Sections", body.ToString());
        var uid = await AppendAsync(inbox, raw);
        var small = Sample("Small", "a short one");
        var smallUid = await AppendAsync(inbox, small);
        var headerEnd = IndexOf(raw, "\r\n\r\n"u8) + 4;

        using (var text = await inbox.GetStreamAsync(uid, "TEXT"))
        {
            using var copy = new MemoryStream();
            await text.CopyToAsync(copy);
            Assert.Equal(raw[headerEnd..], copy.ToArray());
        }
        using (var partial = await inbox.GetStreamAsync(uid, 100_000, 150_000))
        {
            using var copy = new MemoryStream();
            await partial.CopyToAsync(copy);
            Assert.Equal(raw[100_000..250_000], copy.ToArray());
        }
        // The session stays in step after the file transfers: the next commands read their own responses.
        var both = await inbox.FetchAsync([uid, smallUid], MessageSummaryItems.UniqueId | MessageSummaryItems.Size);
        Assert.Equal((uint)raw.Length, both[0].Size);
        Assert.Equal((uint)small.Length, both[1].Size);
        using (var again = await inbox.GetStreamAsync(smallUid, string.Empty))
        {
            using var copy = new MemoryStream();
            await again.CopyToAsync(copy);
            Assert.Equal(small, copy.ToArray());
        }
        await client.DisconnectAsync(true);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    [Fact]
    public async Task Flags_and_search_by_body_header_date_or_not()
    {
        using var client = await ConnectAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var a = await AppendAsync(inbox, Sample("Quarterly report", "numbers go up", "Mon, 02 Mar 2026 10:00:00 +0000"));
        var b = await AppendAsync(inbox, Sample("=?utf-8?q?Gr=C3=BC=C3=9Fe?= from Zürich", "see you at the lake", "Tue, 10 Mar 2026 10:00:00 +0000"), MessageFlags.Flagged);
        var c = await AppendAsync(inbox, Sample("Lunch", "the lake is cold", "Fri, 20 Mar 2026 10:00:00 +0000"));

        await inbox.AddFlagsAsync(a, MessageFlags.Answered, true);
        await inbox.StoreAsync(c, new StoreFlagsRequest(StoreAction.Add, MessageFlags.None) { Keywords = { "project-x" }, Silent = true });
        var fetched = await inbox.FetchAsync([a, b, c], MessageSummaryItems.Flags);
        Assert.True(fetched[0].Flags!.Value.HasFlag(MessageFlags.Answered));
        Assert.True(fetched[1].Flags!.Value.HasFlag(MessageFlags.Flagged));
        Assert.Contains("project-x", fetched[2].Keywords);
        await inbox.RemoveFlagsAsync(b, MessageFlags.Flagged, true);

        Assert.Equal([b, c], await inbox.SearchAsync(SearchQuery.BodyContains("LAKE")));
        Assert.Empty(await inbox.SearchAsync(SearchQuery.BodyContains("Quarterly")));
        Assert.Equal([a], await inbox.SearchAsync(SearchQuery.MessageContains("Quarterly")));
        Assert.Equal([b], await inbox.SearchAsync(SearchQuery.SubjectContains("grüße")));
        Assert.Equal([a], await inbox.SearchAsync(SearchQuery.HeaderContains("Subject", "quarterly")));
        Assert.Equal([b, c], await inbox.SearchAsync(SearchQuery.SentSince(new DateTime(2026, 3, 5))));
        Assert.Equal([a, c], await inbox.SearchAsync(SearchQuery.SubjectContains("report").Or(SearchQuery.HasKeyword("project-x"))));
        Assert.Equal([b, c], await inbox.SearchAsync(SearchQuery.Not(SearchQuery.Answered)));
        Assert.Equal([a], await inbox.SearchAsync(SearchQuery.Answered.And(SearchQuery.FromContains("ann@example.org"))));
        Assert.Empty(await inbox.SearchAsync(SearchQuery.Flagged));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Copy_and_move_return_uidplus_mappings()
    {
        using var client = await ConnectAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var first = await AppendAsync(inbox, Sample("one", "1"));
        var second = await AppendAsync(inbox, Sample("two", "2"));
        var archive = client.GetFolder(SpecialFolder.Archive)!;
        var trash = client.GetFolder(SpecialFolder.Trash)!;

        var copied = await inbox.CopyToAsync([first, second], archive);
        Assert.Equal(2, copied.Destination.Count);
        Assert.Equal(2, inbox.Count);

        var moved = await inbox.MoveToAsync(first, trash);
        Assert.NotNull(moved);
        Assert.Equal(1, inbox.Count);
        await trash.OpenAsync(FolderAccess.ReadOnly);
        var inTrash = Assert.Single(await trash.FetchAsync([moved!.Value], MessageSummaryItems.Envelope));
        Assert.Equal("one", inTrash.Envelope!.Subject);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Expunge_in_one_session_is_seen_by_another()
    {
        using var writer = await ConnectAsync();
        using var reader = await ConnectAsync();
        await writer.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var one = await AppendAsync(writer.Inbox, Sample("one", "1"));
        await AppendAsync(writer.Inbox, Sample("two", "2"));
        await reader.Inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(2, reader.Inbox.Count);

        var expunged = new List<int>();
        reader.Inbox.MessageExpunged += (_, e) => expunged.Add(e.Index);
        await writer.Inbox.AddFlagsAsync(one, MessageFlags.Deleted, true);
        await writer.Inbox.ExpungeAsync();
        await AppendAsync(writer.Inbox, Sample("three", "3"));

        await reader.NoOpAsync();
        Assert.Equal([0], expunged);
        Assert.Equal(2, reader.Inbox.Count);
        await writer.DisconnectAsync(true);
        await reader.DisconnectAsync(true);
    }

    [Fact]
    public async Task Idle_pushes_a_message_appended_by_another_session()
    {
        using var idler = await ConnectAsync();
        using var writer = await ConnectAsync();
        await idler.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idler.Inbox.CountChanged += (_, _) => arrived.TrySetResult();
        using var done = new CancellationTokenSource();
        var idle = idler.IdleAsync(done.Token);

        await AppendAsync(writer.Inbox, Sample("pushed", "now"));
        // The push is driven by the store's notification; a generous bound only stops a hung test.
        var winner = await Task.WhenAny(arrived.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(arrived.Task, winner);
        await done.CancelAsync();
        await idle;
        Assert.Equal(1, idler.Inbox.Count);
        await idler.DisconnectAsync(true);
        await writer.DisconnectAsync(true);
    }

    [Fact]
    public async Task One_wrong_password_tried_by_every_mechanism_counts_once()
    {
        // Default limit (3): MailKit tries AUTHENTICATE PLAIN, AUTHENTICATE LOGIN and LOGIN with the
        // same typo; that is one failure, so the right password still works on the same connection.
        await using var strict = await ImapTestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", strict.Port, SecureSocketOptions.None);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(ImapTestServer.User, "wrong password"));
        Assert.True(client.IsConnected);
        await client.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Three_different_wrong_passwords_disconnect_the_client()
    {
        await using var strict = await ImapTestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", strict.Port, SecureSocketOptions.None);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(ImapTestServer.User, "wrong 1"));
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(ImapTestServer.User, "wrong 2"));
        // The server said BYE after the third distinct failure and closed: even the right password is too late.
        await Assert.ThrowsAnyAsync<Exception>(() => client.AuthenticateAsync(ImapTestServer.User, "wrong 3"));
        await Assert.ThrowsAnyAsync<Exception>(() => client.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password));
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task Wrong_password_fails_with_authentication_exception()
    {
        // MailKit tries every offered mechanism (PLAIN, LOGIN, then the LOGIN command): three failures.
        await using var lenient = await ImapTestServer.StartAsync(o => o.Auth.MaxFailedLogins = 10);
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", lenient.Port, SecureSocketOptions.None);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(ImapTestServer.User, "wrong password"));
        await client.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password);
        Assert.True(client.IsAuthenticated);
    }
}
