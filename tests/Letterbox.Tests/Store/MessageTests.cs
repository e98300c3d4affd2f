using System.Text;
using Letterbox.Store;

namespace Letterbox.Tests.Store;

public sealed class MessageTests
{
    private static NewMessage Numbered(int i, params string[] flags) => TempMailStore.Message($"Subject: {i}\r\nMessage-ID: <{i}@example.com>\r\n\r\nbody {i}\r\n", flags);

    [Fact]
    public async Task Flags_are_canonical_and_each_change_bumps_modseq()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var appended = await account.AppendAsync(inbox.Id, [Numbered(1, "\\SEEN", "$Label1", "$label1", "\\Recent", "\\flagged")]);
        var state = await account.LoadMailboxAsync(inbox.Id);
        Assert.Equal(["\\Flagged", "\\Seen", "$Label1"], state.Messages[0].Flags);

        var store = await account.StoreFlagsAsync(inbox.Id, [1], FlagOperation.Add, ["\\seen", "$LABEL1"]);
        Assert.Empty(store.Changed); // nothing new: no MODSEQ bump
        store = await account.StoreFlagsAsync(inbox.Id, [1, 99], FlagOperation.Remove, ["\\Flagged", "$LABEL1"]);
        var changed = Assert.Single(store.Changed);
        Assert.Equal(["\\Seen"], changed.Flags);
        Assert.True(changed.ModSeq > appended[0].ModSeq);
        store = await account.StoreFlagsAsync(inbox.Id, [1], FlagOperation.Replace, ["\\Deleted", "Junk"]);
        Assert.Equal(["\\Deleted", "Junk"], store.Changed[0].Flags);
        Assert.True(store.Changed[0].ModSeq > changed.ModSeq);

        var status = await account.GetStatusAsync(inbox.Id);
        Assert.Equal(1, status.Unseen);
        Assert.Equal(1, status.Deleted);
        Assert.Equal(store.Changed[0].ModSeq, status.HighestModSeq);
    }

    [Fact]
    public async Task Unchangedsince_refuses_messages_modified_later()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var appended = await account.AppendAsync(inbox.Id, [Numbered(1), Numbered(2)]);
        var first = await account.StoreFlagsAsync(inbox.Id, [2], FlagOperation.Add, ["\\Answered"]);
        var result = await account.StoreFlagsAsync(inbox.Id, [1, 2], FlagOperation.Add, ["\\Seen"], unchangedSince: appended[0].ModSeq);
        Assert.Equal([1u], result.Changed.Select(c => c.Uid));
        Assert.Equal([2u], result.Failed);
        var state = await account.LoadMailboxAsync(inbox.Id);
        Assert.Equal(first.Changed[0].ModSeq, state.Messages[1].ModSeq);
    }

    [Fact]
    public async Task Changes_since_report_new_changed_and_expunged_messages()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.AppendAsync(inbox.Id, [Numbered(1), Numbered(2), Numbered(3)]);
        var mark = (await account.GetStatusAsync(inbox.Id)).HighestModSeq;

        await account.StoreFlagsAsync(inbox.Id, [1, 3], FlagOperation.Add, ["\\Deleted"]);
        Assert.Equal([1u], await account.ExpungeAsync(inbox.Id, [1, 2]));
        await account.StoreFlagsAsync(inbox.Id, [2], FlagOperation.Add, ["\\Seen"]);
        await account.AppendAsync(inbox.Id, [Numbered(4)]);

        var delta = await account.GetChangesSinceAsync(inbox.Id, mark);
        Assert.Equal([2u, 3u, 4u], delta.Changed.Select(c => c.Uid));
        Assert.Equal([1u], delta.Expunged);
        Assert.Equal(5u, delta.UidNext);
        Assert.Equal((await account.GetStatusAsync(inbox.Id)).HighestModSeq, delta.HighestModSeq);
        Assert.All(delta.Changed, c => Assert.True(c.ModSeq > mark));

        var later = await account.GetChangesSinceAsync(inbox.Id, delta.HighestModSeq);
        Assert.Empty(later.Changed);
        Assert.Empty(later.Expunged);
        Assert.Equal([3u], await account.ExpungeAsync(inbox.Id));
        Assert.Equal([3u], (await account.GetChangesSinceAsync(inbox.Id, delta.HighestModSeq)).Expunged);
    }

    [Fact]
    public async Task Copy_shares_the_blob_with_a_new_emailid_and_move_keeps_it()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var archive = (await account.GetMailboxAsync("Archive"))!;
        await account.AppendAsync(inbox.Id, [Numbered(1, "\\Seen"), Numbered(2), Numbered(3)]);
        await account.AppendAsync(archive.Id, [Numbered(9)]);
        var originals = await account.GetMessagesAsync(inbox.Id, [1, 2, 3], MessageFields.Basic);

        var copy = await account.CopyAsync(inbox.Id, [3, 1, 42], archive.Id, move: false);
        Assert.Equal(archive.UidValidity, copy.DestinationUidValidity);
        Assert.Equal([1u, 3u], copy.SourceUids);
        Assert.Equal([2u, 3u], copy.DestinationUids);
        var copies = await account.GetMessagesAsync(archive.Id, copy.DestinationUids, MessageFields.Basic);
        Assert.Equal([originals[0].BlobId, originals[2].BlobId], copies.Select(c => c.BlobId));
        Assert.DoesNotContain(copies, c => originals.Any(o => o.EmailId == c.EmailId));
        Assert.Equal(["\\Seen"], copies[0].Flags);
        Assert.Equal(3, (await account.GetStatusAsync(inbox.Id)).Messages);

        var move = await account.CopyAsync(inbox.Id, [2], archive.Id, move: true);
        Assert.Equal([2u], move.SourceUids);
        Assert.Equal([4u], move.DestinationUids);
        var moved = (await account.GetMessagesAsync(archive.Id, [4], MessageFields.Basic)).Single();
        Assert.Equal(originals[1].EmailId, moved.EmailId);
        Assert.Equal(2, (await account.GetStatusAsync(inbox.Id)).Messages);
        Assert.Equal([2u], (await account.GetChangesSinceAsync(inbox.Id, 0)).Expunged);

        // Expunging the original leaves the shared blob to the copy.
        await account.StoreFlagsAsync(inbox.Id, [1], FlagOperation.Add, ["\\Deleted"]);
        await account.ExpungeAsync(inbox.Id);
        Assert.Equal("Subject: 1\r\nMessage-ID: <1@example.com>\r\n\r\nbody 1\r\n", Encoding.ASCII.GetString(await TempMailStore.ReadAllAsync(account, copies[0])));
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => account.CopyAsync(inbox.Id, [3], 12345, move: true))).Error);
        Assert.Equal([3u], (await account.LoadMailboxAsync(inbox.Id)).Messages.Select(m => m.Uid));
    }

    [Fact]
    public async Task Expunge_deletes_the_last_reference_to_a_blob_after_commit()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.AppendAsync(inbox.Id, [Numbered(1, "\\Deleted")]);
        var record = (await account.GetMessagesAsync(inbox.Id, [1], MessageFields.Basic)).Single();
        var blobs = Path.Combine(temp.AccountDirectory(), "blobs");
        Assert.True(File.Exists(Path.Combine(blobs, record.BlobId[..2], record.BlobId)));
        await account.ExpungeAsync(inbox.Id);
        Assert.False(File.Exists(Path.Combine(blobs, record.BlobId[..2], record.BlobId)));
        Assert.Equal(MailStoreError.NonExistent, Assert.Throws<MailStoreException>(() => account.OpenContent(record)).Error);
    }

    [Fact]
    public async Task Fetching_ten_thousand_uids_returns_exactly_those_asked_for()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.AppendAsync(inbox.Id, Enumerable.Range(0, 100).Select(i => Numbered(i)).ToList());
        // Copies share blobs, so 12,800 rows cost 100 blob writes.
        for (var round = 0; round < 7; round++)
        {
            var uids = (await account.LoadMailboxAsync(inbox.Id)).Messages.Select(m => m.Uid).ToList();
            await account.CopyAsync(inbox.Id, uids, inbox.Id, move: false);
        }
        var wanted = Enumerable.Range(1, 10_000).Select(i => (uint)i).Reverse().Append(20_000u).ToList();
        var records = await account.GetMessagesAsync(inbox.Id, wanted, MessageFields.Envelope);
        Assert.Equal(10_000, records.Count);
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (uint)i), records.Select(r => r.Uid));
        Assert.Equal("99", records[99].Envelope!.Subject);
        Assert.Equal("0", records[100].Envelope!.Subject);
        Assert.Null(records[0].Structure);
        Assert.Null(records[0].SearchText);
        Assert.Equal(10_000, records.Select(r => r.EmailId).Distinct().Count());
    }

    [Fact]
    public async Task Notifier_fires_after_commits_that_change_the_mailbox()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var sent = (await account.GetMailboxAsync("Sent"))!;
        var inboxSignals = 0;
        var sentSignals = 0;
        var appended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = temp.Store.Changes.Subscribe("a1", inbox.Id, () =>
        {
            // The commit is visible to the subscriber when it hears of it.
            var messages = account.GetStatusAsync(inbox.Id).GetAwaiter().GetResult().Messages;
            Interlocked.Increment(ref inboxSignals);
            appended.TrySetResult(messages);
        });
        using var other = temp.Store.Changes.Subscribe("a1", sent.Id, () => Interlocked.Increment(ref sentSignals));
        using var otherAccount = temp.Store.Changes.Subscribe("a2", inbox.Id, () => throw new InvalidOperationException("wrong account"));

        await account.AppendAsync(inbox.Id, [Numbered(1)]);
        Assert.Equal(1, await appended.Task);
        await account.StoreFlagsAsync(inbox.Id, [1], FlagOperation.Add, ["\\Seen"]);
        await account.StoreFlagsAsync(inbox.Id, [1], FlagOperation.Add, ["\\Seen"]); // no change, no signal
        Assert.Equal(2, Volatile.Read(ref inboxSignals));
        Assert.Equal(0, Volatile.Read(ref sentSignals));

        subscription.Dispose();
        await account.AppendAsync(inbox.Id, [Numbered(2)]);
        Assert.Equal(2, Volatile.Read(ref inboxSignals));
    }
}
