using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

public sealed class MailboxTests
{
    [Theory]
    [InlineData("")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a//b")]
    [InlineData("a\0b")]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a*")]
    [InlineData("a%b")]
    public async Task Invalid_names_are_refused(string name)
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var ex = await Assert.ThrowsAsync<MailStoreException>(() => account.CreateMailboxAsync(name));
        Assert.Equal(MailStoreError.InvalidName, ex.Error);
        Assert.Null(await account.GetMailboxAsync(name));
    }

    [Fact]
    public void Name_limits_are_enforced_at_the_boundary()
    {
        Assert.True(MailboxName.TryNormalize(new string('a', MailboxName.MaxOctets), out _, out _));
        Assert.False(MailboxName.TryNormalize(new string('a', MailboxName.MaxOctets + 1), out _, out _));
        // Octets, not characters: 128 two-octet characters are 256 octets.
        Assert.False(MailboxName.TryNormalize(new string('\u00e9', 128), out _, out _));
        Assert.True(MailboxName.TryNormalize(string.Join('/', Enumerable.Repeat("a", MailboxName.MaxLevels)), out _, out _));
        Assert.False(MailboxName.TryNormalize(string.Join('/', Enumerable.Repeat("a", MailboxName.MaxLevels + 1)), out _, out _));
        Assert.False(MailboxName.TryNormalize("\ud800x", out _, out _));
        Assert.Equal("INBOX/Sub", MailboxName.Normalize("inBox/Sub"));
        Assert.Equal("Inboxes", MailboxName.Normalize("Inboxes"));
    }

    [Fact]
    public async Task Create_makes_missing_parents_and_refuses_duplicates()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var created = await account.CreateMailboxAsync("a/b/c");
        Assert.Equal("a/b/c", created.Name);
        Assert.NotNull(await account.GetMailboxAsync("a"));
        Assert.NotNull(await account.GetMailboxAsync("a/b"));
        var duplicate = await Assert.ThrowsAsync<MailStoreException>(() => account.CreateMailboxAsync("a/b"));
        Assert.Equal(MailStoreError.AlreadyExists, duplicate.Error);
        var inbox = await Assert.ThrowsAsync<MailStoreException>(() => account.CreateMailboxAsync("inbox"));
        Assert.Equal(MailStoreError.AlreadyExists, inbox.Error);
        var unicode = await account.CreateMailboxAsync("Caf\u00e9 \ud83d\udce8/Re\u00e7us");
        Assert.Equal(unicode.Id, (await account.GetMailboxAsync("Caf\u00e9 \ud83d\udce8/Re\u00e7us"))!.Id);
        var child = await account.CreateMailboxAsync("inbox/Child");
        Assert.Equal("INBOX/Child", child.Name);
    }

    [Fact]
    public async Task Delete_refuses_inbox_children_and_unknown_names_and_frees_the_uidvalidity()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        Assert.Equal(MailStoreError.CannotDeleteInbox, (await Assert.ThrowsAsync<MailStoreException>(() => account.DeleteMailboxAsync("Inbox"))).Error);
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => account.DeleteMailboxAsync("nope"))).Error);
        var first = await account.CreateMailboxAsync("p/q");
        Assert.Equal(MailStoreError.HasChildren, (await Assert.ThrowsAsync<MailStoreException>(() => account.DeleteMailboxAsync("p"))).Error);

        await account.AppendAsync(first.Id, [TempMailStore.Message("Subject: doomed\r\n\r\nbye\r\n")]);
        await account.DeleteMailboxAsync("p/q");
        await account.DeleteMailboxAsync("p");
        Assert.Null(await account.GetMailboxAsync("p/q"));
        var again = await account.CreateMailboxAsync("p/q");
        Assert.NotEqual(first.Id, again.Id);
        Assert.True(again.UidValidity > first.UidValidity);
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => account.GetStatusAsync(first.Id))).Error);
        // The deleted message's blob went with its last reference.
        Assert.Empty(Directory.GetFiles(Path.Combine(temp.AccountDirectory(), "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Rename_moves_children_and_subscriptions_and_keeps_uidvalidity()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var parent = await account.CreateMailboxAsync("Work");
        var child = await account.CreateMailboxAsync("Work/2025");
        await account.CreateMailboxAsync("Workshop");
        await account.SetSubscribedAsync("Work/2025", true);
        await account.AppendAsync(child.Id, [TempMailStore.Message("Subject: kept\r\n\r\n")]);

        await account.RenameMailboxAsync("Work", "Old/Work");
        Assert.Null(await account.GetMailboxAsync("Work"));
        Assert.NotNull(await account.GetMailboxAsync("Workshop"));
        Assert.NotNull(await account.GetMailboxAsync("Old"));
        var moved = (await account.GetMailboxAsync("Old/Work/2025"))!;
        Assert.Equal(child.Id, moved.Id);
        Assert.Equal(child.UidValidity, moved.UidValidity);
        Assert.Equal(parent.Id, (await account.GetMailboxAsync("Old/Work"))!.Id);
        Assert.Equal(1, (await account.GetStatusAsync(moved.Id)).Messages);
        Assert.Contains("Old/Work/2025", await account.ListSubscriptionsAsync());

        Assert.Equal(MailStoreError.AlreadyExists, (await Assert.ThrowsAsync<MailStoreException>(() => account.RenameMailboxAsync("Workshop", "Sent"))).Error);
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => account.RenameMailboxAsync("nope", "x"))).Error);
        Assert.Equal(MailStoreError.InvalidName, (await Assert.ThrowsAsync<MailStoreException>(() => account.RenameMailboxAsync("Old", "Old/inside"))).Error);
    }

    [Fact]
    public async Task Renaming_inbox_moves_its_messages_and_leaves_it_empty()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.CreateMailboxAsync("INBOX/Child");
        await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 1\r\n\r\n", "\\Seen"), TempMailStore.Message("Subject: 2\r\n\r\n")]);
        var before = await account.GetMessagesAsync(inbox.Id, [1, 2], MessageFields.Basic);

        await account.RenameMailboxAsync("inbox", "Old Mail");
        var stillInbox = (await account.GetMailboxAsync("INBOX"))!;
        Assert.Equal(inbox.Id, stillInbox.Id);
        var inboxStatus = await account.GetStatusAsync(inbox.Id);
        Assert.Equal(0, inboxStatus.Messages);
        Assert.Equal(3u, inboxStatus.UidNext);
        Assert.NotNull(await account.GetMailboxAsync("INBOX/Child"));

        var target = (await account.GetMailboxAsync("Old Mail"))!;
        var state = await account.LoadMailboxAsync(target.Id);
        Assert.Equal(2, state.Messages.Count);
        Assert.Equal(["\\Seen"], state.Messages[0].Flags);
        var after = await account.GetMessagesAsync(target.Id, state.Messages.Select(m => m.Uid).ToList(), MessageFields.Basic);
        Assert.Equal(before.Select(r => r.EmailId), after.Select(r => r.EmailId));
        var delta = await account.GetChangesSinceAsync(inbox.Id, 0);
        Assert.Equal([1u, 2u], delta.Expunged);

        // INBOX may be renamed below itself: only its messages move.
        await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 3\r\n\r\n")]);
        await account.RenameMailboxAsync("INBOX", "INBOX/Old");
        Assert.Equal(1, (await account.GetStatusAsync((await account.GetMailboxAsync("INBOX/Old"))!.Id)).Messages);
        Assert.Equal(0, (await account.GetStatusAsync(inbox.Id)).Messages);
    }

    [Fact]
    public async Task Subscriptions_survive_deletion_of_the_mailbox()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        await account.CreateMailboxAsync("Lists");
        await account.SetSubscribedAsync("Lists", true);
        Assert.True((await account.GetMailboxAsync("Lists"))!.Subscribed);
        await account.DeleteMailboxAsync("Lists");
        // RFC 9051 §6.3.9: the server must not remove a subscription on its own.
        Assert.Contains("Lists", await account.ListSubscriptionsAsync());
        await account.SetSubscribedAsync("Lists", false);
        Assert.DoesNotContain("Lists", await account.ListSubscriptionsAsync());
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => account.SetSubscribedAsync("Ghost", true))).Error);
    }
}
