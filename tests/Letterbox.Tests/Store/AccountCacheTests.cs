using System.Text;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

public sealed class AccountCacheTests
{
    [Fact]
    public async Task Sessions_share_one_open_account_which_closes_only_when_idle()
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = EmbeddedMailStore.Open(root, new TempMailStoreDirectory(), accountIdleTimeout: TimeSpan.Zero);
            var first = await store.OpenAccountAsync(TempMailStore.User("a1"));
            var second = await store.OpenAccountAsync(TempMailStore.User("a1"));
            Assert.Same(((EmbeddedMailAccount)first).Database, ((EmbeddedMailAccount)second).Database);
            Assert.Equal(1, store.OpenAccountCount);
            var inbox = (await first.GetMailboxAsync("INBOX"))!;
            await first.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: kept\r\n\r\n")]);

            await first.DisposeAsync();
            await first.DisposeAsync(); // a second dispose releases nothing more
            await store.CloseIdleAccountsAsync();
            Assert.Equal(1, store.OpenAccountCount); // the second session still holds it
            Assert.Equal(1, (await second.GetStatusAsync(inbox.Id)).Messages);

            await second.DisposeAsync();
            await store.CloseIdleAccountsAsync();
            Assert.Equal(0, store.OpenAccountCount);

            // Reopening right away waits for the close and finds everything on disk.
            await using var third = await store.OpenAccountAsync(TempMailStore.User("a1"));
            var records = await third.GetMessagesAsync(inbox.Id, [1], MessageFields.Envelope);
            Assert.Equal("kept", records.Single().Envelope!.Subject);
            Assert.Equal("Subject: kept\r\n\r\n", Encoding.ASCII.GetString(await TempMailStore.ReadAllAsync(third, records[0])));
            Assert.Equal(1, store.OpenAccountCount);
            Assert.True((await store.CheckAsync(repair: false)).Healthy);
            Assert.Equal(1, store.OpenAccountCount);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_memory_trim_closes_accounts_no_session_holds_before_the_idle_timeout()
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The default idle timeout (5 minutes) would keep both accounts open.
            await using var store = EmbeddedMailStore.Open(root, new TempMailStoreDirectory());
            var held = await store.OpenAccountAsync(TempMailStore.User("held"));
            var released = await store.OpenAccountAsync(TempMailStore.User("released"));
            var inbox = (await released.GetMailboxAsync("INBOX"))!;
            await released.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: stays\r\n\r\n")]);
            await released.DisposeAsync();
            Assert.Equal(2, store.OpenAccountCount);

            // Released moments ago: the trim's own threshold (TrimAccountIdle) leaves it open.
            await store.ReleaseIdleAsync();
            Assert.Equal(2, store.OpenAccountCount);

            // Past the threshold (zero here): closed; the one a session holds stays open and usable.
            await store.ReleaseIdleAsync(accountIdle: TimeSpan.Zero);
            Assert.Equal(1, store.OpenAccountCount);
            Assert.Equal(0, (await held.GetStatusAsync((await held.GetMailboxAsync("INBOX"))!.Id)).Messages);
            await held.DisposeAsync();

            // Reopened afresh with everything on disk.
            await using var again = await store.OpenAccountAsync(TempMailStore.User("released"));
            Assert.Equal(1, (await again.GetStatusAsync(inbox.Id)).Messages);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_account_id_that_cannot_name_a_folder_is_refused()
    {
        await using var temp = TempMailStore.Create();
        await Assert.ThrowsAsync<ArgumentException>(() => temp.Store.OpenAccountAsync(TempMailStore.User("..")));
        await Assert.ThrowsAsync<ArgumentException>(() => temp.Store.OpenAccountAsync(TempMailStore.User("a/b")));
        Assert.Equal(0, temp.Store.OpenAccountCount);
    }
}
