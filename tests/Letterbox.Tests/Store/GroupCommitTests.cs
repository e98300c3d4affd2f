using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Writes_queued_together_commit_in_one_transaction_and_a_refused_one_spoils_nothing()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.AppendAsync(inbox.Id, Enumerable.Range(1, 20).Select(i => TempMailStore.Message($"Subject: {i}\r\n\r\n")).ToList());
        var database = ((EmbeddedMailAccount)account).Database;

        // Hold the writer inside an operation so the next writes pile up in its queue.
        using var gate = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = database.WriteAsync(_ =>
        {
            started.SetResult();
            return gate.Wait(TimeSpan.FromSeconds(30));
        }, CancellationToken.None);
        await started.Task;
        var stores = Enumerable.Range(1, 20)
            .Select(i => account.StoreFlagsAsync(inbox.Id, [(uint)i], FlagOperation.Add, ["\\Seen"]))
            .ToList();
        var refused = account.StoreFlagsAsync(999_999, [1], FlagOperation.Add, ["\\Seen"]);
        Assert.True(SpinWait.SpinUntil(() => database.Writer.Queued == 21, TimeSpan.FromSeconds(30)));
        var commitsBefore = database.Writer.Commits;
        gate.Set();

        Assert.True(await blocker);
        var results = await Task.WhenAll(stores);
        Assert.Equal(MailStoreError.NonExistent, (await Assert.ThrowsAsync<MailStoreException>(() => refused)).Error);
        // The blocker's own group, then all 21 queued operations in one more commit.
        Assert.Equal(commitsBefore + 2, database.Writer.Commits);
        Assert.Equal(20, results.Select(r => r.Changed.Single().ModSeq).Distinct().Count());
        var status = await account.GetStatusAsync(inbox.Id);
        Assert.Equal(0, status.Unseen);
        Assert.Equal(results.Max(r => r.Changed.Single().ModSeq), status.HighestModSeq);
    }
}
