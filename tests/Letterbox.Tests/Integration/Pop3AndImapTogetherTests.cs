using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Letterbox.Tests.Integration;

/// <summary>
/// Both protocols at once with real clients (issue 3, concurrency): a MailKit POP3 session stays open
/// while a MailKit IMAP client expunges a message and appends another.
/// </summary>
public sealed class Pop3AndImapTogetherTests
{
    private static readonly int[] Initial = [0, 2, 3, 4];

    [Fact]
    public async Task Pop3_numbering_holds_while_imap_expunges_and_appends_and_quit_applies_only_its_own_deletes()
    {
        await using var server = await TestServer.StartAsync();
        using var imap = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await imap.ConnectAsync("127.0.0.1", server.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(server.User, TestServer.Password);
        foreach (var n in Initial)
        {
            await imap.Inbox.AppendAsync(new AppendRequest(Load(TestMessages.Create(n)), MessageFlags.None));
        }
        await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var imapUids = await imap.Inbox.SearchAsync(SearchQuery.All);
        Assert.Equal(4, imapUids.Count);

        using var pop = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await pop.ConnectAsync("127.0.0.1", server.Pop3s.Port, SecureSocketOptions.SslOnConnect);
        await pop.AuthenticateAsync(server.User, TestServer.Password);
        Assert.Equal(4, pop.Count);
        var uidl = await pop.GetMessageUidsAsync();
        Assert.Equal(4, uidl.Distinct().Count());

        // IMAP, in the middle of the POP3 session: expunge message 2 (test-2), append a new one.
        await imap.Inbox.AddFlagsAsync(imapUids[1], MessageFlags.Deleted, silent: true);
        await imap.Inbox.ExpungeAsync();
        await imap.Inbox.AppendAsync(new AppendRequest(Load(TestMessages.Create(42)), MessageFlags.None));
        await imap.NoOpAsync();
        Assert.Equal(4, imap.Inbox.Count);

        // POP3's view is the one fixed at login: same count, same numbers, same UIDLs.
        Assert.Equal(4, await pop.GetMessageCountAsync());
        Assert.Equal(uidl, await pop.GetMessageUidsAsync());
        Assert.Equal("test-0@example.net", (await pop.GetMessageAsync(0)).MessageId);
        await Assert.ThrowsAsync<Pop3CommandException>(() => pop.GetMessageAsync(1));
        Assert.True(pop.IsConnected);
        Assert.Equal("test-3@example.net", (await pop.GetMessageAsync(2)).MessageId);
        Assert.Equal("test-4@example.net", (await pop.GetMessageAsync(3)).MessageId);

        // POP3 deletes messages 1 and 3 (test-0, test-3); QUIT removes those and nothing else.
        await pop.DeleteMessagesAsync([0, 2]);
        Assert.Equal(4, imap.Inbox.Count);
        await pop.DisconnectAsync(true);

        // The open IMAP session sees the result: test-4 and the arrival, with their UIDs unchanged.
        await imap.NoOpAsync();
        Assert.Equal(2, imap.Inbox.Count);
        var left = await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        Assert.Equal(["test-4@example.net", "test-42@example.net"], left.Select(m => m.Envelope!.MessageId));
        Assert.Equal(imapUids[3], left[0].UniqueId);
        Assert.True(left[1].UniqueId.Id > imapUids[3].Id);
        Assert.DoesNotContain(left, m => m.Flags!.Value.HasFlag(MessageFlags.Deleted));

        // A new POP3 session numbers afresh; the survivor keeps its UIDL.
        using var again = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await again.ConnectAsync("127.0.0.1", server.Pop3s.Port, SecureSocketOptions.SslOnConnect);
        await again.AuthenticateAsync(server.User, TestServer.Password);
        var uidlAfter = await again.GetMessageUidsAsync();
        Assert.Equal(2, uidlAfter.Count);
        Assert.Equal(uidl[3], uidlAfter[0]);
        Assert.DoesNotContain(uidlAfter[1], uidl);
        await again.DisconnectAsync(true);
        await imap.DisconnectAsync(true);
    }

    private static MimeMessage Load(byte[] bytes) => MimeMessage.Load(new MemoryStream(bytes));
}
