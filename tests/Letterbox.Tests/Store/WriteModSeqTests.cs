using Letterbox.Store;

namespace Letterbox.Tests.Store;

/// <summary>
/// Writes say which MODSEQ they took and where the mailbox stood just before (the additive
/// contract that lets a session apply its own write without reading it back, RFC 7162).
/// </summary>
public sealed class WriteModSeqTests
{
    [Fact]
    public async Task Store_append_and_expunge_report_the_mailbox_modseq_before_them_and_their_own()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var start = (await account.GetStatusAsync(inbox.Id)).HighestModSeq;

        var appended = await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: a\r\n\r\n", "\\seen", "$Label"), TempMailStore.Message("Subject: b\r\n\r\n")]);
        Assert.All(appended, r => Assert.Equal(start, r.ModSeqBefore));
        Assert.True(appended[0].ModSeq > start);
        // The flags as a later read returns them.
        var loaded = await account.LoadMailboxAsync(inbox.Id);
        Assert.Equal(loaded.Messages[0].Flags, appended[0].Flags);
        Assert.Equal(loaded.Messages[1].Flags, appended[1].Flags);
        Assert.Equal(appended[0].ModSeq, loaded.HighestModSeq);

        // A write to another mailbox moves the account's counter, not this mailbox's HIGHESTMODSEQ.
        var other = await account.CreateMailboxAsync("Other");
        await account.AppendAsync(other.Id, [TempMailStore.Message("Subject: c\r\n\r\n")]);

        var stored = await account.StoreFlagsAsync(inbox.Id, [2], FlagOperation.Add, ["\\Deleted"]);
        Assert.Equal(appended[0].ModSeq, stored.ModSeqBefore);
        var storeModSeq = Assert.Single(stored.Changed).ModSeq;
        Assert.Equal(storeModSeq, (await account.GetStatusAsync(inbox.Id)).HighestModSeq);

        var expunged = await account.ExpungeWithModSeqAsync(inbox.Id);
        Assert.Equal([2u], expunged.Uids);
        Assert.Equal(storeModSeq, expunged.ModSeqBefore);
        Assert.True(expunged.ModSeq > storeModSeq);
        Assert.Equal(expunged.ModSeq, (await account.GetStatusAsync(inbox.Id)).HighestModSeq);

        // Nothing to expunge: no MODSEQ taken.
        var nothing = await account.ExpungeWithModSeqAsync(inbox.Id);
        Assert.Empty(nothing.Uids);
        Assert.Equal(0ul, nothing.ModSeq);
        Assert.Equal(expunged.ModSeq, nothing.ModSeqBefore);
    }
}
