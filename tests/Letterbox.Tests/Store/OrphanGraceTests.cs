using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

/// <summary>
/// Another process (letterbox deliver beside the server) may be between writing a blob and
/// committing its row: a second store on the same data directory must not sweep such young files.
/// </summary>
public sealed class OrphanGraceTests
{
    [Fact]
    public async Task Young_temp_files_survive_a_second_store_and_old_ones_are_swept()
    {
        await using var temp = TempMailStore.Create();
        await using (var account = await temp.OpenAsync())
        {
            Assert.NotNull(await account.GetMailboxAsync("INBOX"));
        }
        var blobs = Path.Combine(temp.AccountDirectory(), "blobs");
        var inFlight = Path.Combine(blobs, BlobStore.TempPrefix + "in-flight");
        var leftover = Path.Combine(blobs, BlobStore.TempPrefix + "crashed-yesterday");
        await File.WriteAllTextAsync(inFlight, "being written by the server");
        await File.WriteAllTextAsync(leftover, "half a message");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddDays(-1));

        // A second process opens the same account with the default grace period.
        await using (var second = EmbeddedMailStore.Open(temp.Root, new TempMailStoreDirectory()))
        {
            await using var account = await second.OpenAccountAsync(TempMailStore.User());
            var report = await second.CheckAsync(repair: true);
            Assert.True(report.Healthy, string.Join("\n", report.Problems));
        }
        Assert.True(File.Exists(inFlight));
        Assert.False(File.Exists(leftover));
    }
}
