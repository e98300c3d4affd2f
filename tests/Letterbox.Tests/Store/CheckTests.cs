using System.Security.Cryptography;
using System.Text;
using Letterbox.Store;

namespace Letterbox.Tests.Store;

public sealed class CheckTests
{
    [Fact]
    public async Task A_healthy_store_checks_clean()
    {
        await using var temp = TempMailStore.Create();
        await using (var account = await temp.OpenAsync("a1"))
        {
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 1\r\n\r\n"), TempMailStore.Message("Subject: 2\r\n\r\n")]);
            await account.CopyAsync(inbox.Id, [1], inbox.Id, move: false);
        }
        await using (await temp.OpenAsync("a2"))
        {
        }
        await temp.ReopenAsync();
        var report = await temp.Store.CheckAsync(repair: false);
        Assert.True(report.Healthy, string.Join("\n", report.Problems));
        Assert.Equal(2, report.Accounts);
        Assert.Equal(3, report.Messages);
        Assert.Equal(2, report.Blobs);
        Assert.Equal(0, report.OrphanBlobsRemoved);
    }

    [Fact]
    public async Task Check_finds_corrupted_and_missing_blobs_and_repair_removes_orphans()
    {
        await using var temp = TempMailStore.Create();
        MessageRecord[] records;
        await using (var account = await temp.OpenAsync())
        {
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 1\r\n\r\none\r\n"), TempMailStore.Message("Subject: 2\r\n\r\ntwo\r\n"), TempMailStore.Message("Subject: 3\r\n\r\nthree\r\n")]);
            records = [.. await account.GetMessagesAsync(inbox.Id, [1, 2, 3], MessageFields.Basic)];
        }
        var blobs = Path.Combine(temp.AccountDirectory(), "blobs");
        string BlobPath(string id) => Path.Combine(blobs, id[..2], id);

        // A flipped byte, a lost file, an orphan of a crash after the blob write, a leftover temp file.
        var corrupted = BlobPath(records[0].BlobId);
        var bytes = await File.ReadAllBytesAsync(corrupted);
        bytes[0] ^= 0x20;
        await File.WriteAllBytesAsync(corrupted, bytes);
        File.Delete(BlobPath(records[1].BlobId));
        var orphanContent = Encoding.ASCII.GetBytes("Subject: never committed\r\n\r\n");
        var orphanId = Convert.ToHexStringLower(SHA256.HashData(orphanContent));
        Directory.CreateDirectory(Path.GetDirectoryName(BlobPath(orphanId))!);
        await File.WriteAllBytesAsync(BlobPath(orphanId), orphanContent);
        var leftover = Path.Combine(blobs, ".tmp-0123456789abcdef");
        await File.WriteAllTextAsync(leftover, "half a message");

        var report = await temp.Store.CheckAsync(repair: false);
        Assert.False(report.Healthy);
        Assert.Contains(report.Problems, p => p.Contains($"blob {records[0].BlobId} is corrupted", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains($"blob {records[1].BlobId} is missing", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("orphan", StringComparison.Ordinal) && p.Contains(orphanId, StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("orphan", StringComparison.Ordinal) && p.Contains(".tmp-0123456789abcdef", StringComparison.Ordinal));
        Assert.Equal(4, report.Problems.Count);
        Assert.True(File.Exists(leftover));
        Assert.True(File.Exists(BlobPath(orphanId)));

        var repaired = await temp.Store.CheckAsync(repair: true);
        Assert.Equal(2, repaired.OrphanBlobsRemoved);
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(BlobPath(orphanId)));
        Assert.True(File.Exists(BlobPath(records[2].BlobId)));
        // Damage to committed messages cannot be repaired by removing files; it stays reported.
        Assert.Equal(2, repaired.Problems.Count);

        var after = await temp.Store.CheckAsync(repair: false);
        Assert.Equal(2, after.Problems.Count);
        Assert.Equal(0, after.OrphanBlobsRemoved);
    }

    [Fact]
    public async Task Opening_an_account_sweeps_leftover_temp_files_but_keeps_blobs()
    {
        await using var temp = TempMailStore.Create();
        await using (var account = await temp.OpenAsync())
        {
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: kept\r\n\r\n")]);
        }
        await temp.ReopenAsync();
        var blobs = Path.Combine(temp.AccountDirectory(), "blobs");
        var leftover = Path.Combine(blobs, ".tmp-crashed");
        await File.WriteAllTextAsync(leftover, "partial");

        await using var reopened = await temp.OpenAsync();
        Assert.False(File.Exists(leftover));
        var inboxId = (await reopened.GetMailboxAsync("INBOX"))!.Id;
        var record = (await reopened.GetMessagesAsync(inboxId, [1], MessageFields.Basic)).Single();
        Assert.Equal("Subject: kept\r\n\r\n", Encoding.ASCII.GetString(await TempMailStore.ReadAllAsync(reopened, record)));
    }
}
