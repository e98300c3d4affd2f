using System.Text;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Tests.Store;

public sealed class AppendTests
{
    private const string Simple = "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Hello\r\nDate: Tue, 3 Mar 2026 10:00:00 +0100\r\nMessage-ID: <1@example.com>\r\n\r\nHi Bob.\r\n";

    [Fact]
    public async Task First_open_creates_special_use_mailboxes_all_subscribed()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var mailboxes = await account.ListMailboxesAsync();
        Assert.Equal(["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"], mailboxes.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(mailboxes, m => Assert.True(m.Subscribed));
        Assert.Equal(SpecialUse.Sent, mailboxes.Single(m => m.Name == "Sent").SpecialUse);
        Assert.Equal(SpecialUse.Drafts, mailboxes.Single(m => m.Name == "Drafts").SpecialUse);
        Assert.Equal(SpecialUse.Trash, mailboxes.Single(m => m.Name == "Trash").SpecialUse);
        Assert.Equal(SpecialUse.Junk, mailboxes.Single(m => m.Name == "Junk").SpecialUse);
        Assert.Equal(SpecialUse.Archive, mailboxes.Single(m => m.Name == "Archive").SpecialUse);
        Assert.Equal(6, mailboxes.Select(m => m.UidValidity).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(temp.AccountDirectory(), "mail.db")));

        // A deleted default is not re-created on the next open.
        await account.DeleteMailboxAsync("Junk");
        await temp.ReopenAsync();
        await using var again = await temp.OpenAsync();
        Assert.Null(await again.GetMailboxAsync("Junk"));
        Assert.NotNull(await again.GetMailboxAsync("inbox"));
    }

    [Fact]
    public async Task Append_then_load_returns_the_exact_bytes()
    {
        var random = new Random(42);
        var big = new StringBuilder("Subject: big\r\n\r\n");
        while (big.Length < 5 * 1024 * 1024)
        {
            big.Append(random.Next().ToString("x8")).Append("\r\n");
        }
        var eightBit = Encoding.UTF8.GetBytes("Subject: caf\u00e9\r\n\r\nna\u00efve\r\n").Concat(new byte[] { 0xff, 0xfe, 0x80, (byte)'\n' }).ToArray();
        byte[][] samples =
        [
            Encoding.ASCII.GetBytes(Simple),
            Encoding.ASCII.GetBytes("Subject: bare LF\n\nline one\nline two\n"),
            eightBit,
            Encoding.ASCII.GetBytes("Subject: no body\r\n"),
            Encoding.ASCII.GetBytes("no headers at all, just text"),
            [],
            Encoding.ASCII.GetBytes(big.ToString()),
        ];

        await using var temp = TempMailStore.Create();
        await using (var account = await temp.OpenAsync())
        {
            var inbox = (await account.GetMailboxAsync("INBOX"))!;
            foreach (var sample in samples)
            {
                await account.AppendAsync(inbox.Id, [TempMailStore.Message(sample)]);
            }
        }

        await temp.ReopenAsync();
        await using var reopened = await temp.OpenAsync();
        var box = (await reopened.GetMailboxAsync("INBOX"))!;
        var state = await reopened.LoadMailboxAsync(box.Id);
        var records = await reopened.GetMessagesAsync(box.Id, state.Messages.Select(m => m.Uid).ToList(), MessageFields.Envelope | MessageFields.Structure | MessageFields.SearchText);
        Assert.Equal(samples.Length, records.Count);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(samples[i].Length, records[i].Size);
            Assert.Equal(samples[i], await TempMailStore.ReadAllAsync(reopened, records[i]));
            Assert.NotNull(records[i].Structure);
            Assert.NotNull(records[i].Envelope);
            Assert.Matches("^M[0-9a-f]{24}$", records[i].EmailId);
        }
        Assert.Equal("Hello", records[0].Envelope!.Subject);
        Assert.Contains("Hi Bob.", records[0].SearchText, StringComparison.Ordinal);
        Assert.Equal(samples.Sum(s => (long)s.Length), (await reopened.GetStatusAsync(box.Id)).Size);
    }

    [Fact]
    public async Task Uids_and_modseqs_strictly_increase_and_are_never_reused()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var first = await account.AppendAsync(inbox.Id, [TempMailStore.Message(Simple), TempMailStore.Message(Simple + "x")]);
        Assert.Equal([1u, 2u], first.Select(r => r.Uid));
        Assert.All(first, r => Assert.Equal(inbox.UidValidity, r.UidValidity));

        await account.StoreFlagsAsync(inbox.Id, [2], FlagOperation.Add, ["\\Deleted"]);
        Assert.Equal([2u], await account.ExpungeAsync(inbox.Id));
        var second = await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: three\r\n\r\n")]);
        Assert.Equal(3u, second[0].Uid);
        Assert.True(second[0].ModSeq > first[0].ModSeq);

        var status = await account.GetStatusAsync(inbox.Id);
        Assert.Equal(4u, status.UidNext);
        Assert.Equal(2, status.Messages);
        Assert.Equal(second[0].ModSeq, status.HighestModSeq);
    }

    [Fact]
    public async Task Too_big_message_is_refused_and_nothing_is_stored()
    {
        await using var temp = TempMailStore.Create(maxMessageSize: 100);
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var ex = await Assert.ThrowsAsync<MailStoreException>(() => account.AppendAsync(inbox.Id, [TempMailStore.Message(new string('x', 101))]));
        Assert.Equal(MailStoreError.TooBig, ex.Error);
        await account.AppendAsync(inbox.Id, [TempMailStore.Message(new string('x', 100))]);
        Assert.Equal(1, (await account.GetStatusAsync(inbox.Id)).Messages);
        var files = Directory.GetFiles(Path.Combine(temp.AccountDirectory(), "blobs"), "*", SearchOption.AllDirectories);
        Assert.Single(files);
    }

    [Fact]
    public async Task Multiappend_is_all_or_nothing()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var results = await account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 1\r\n\r\n"), TempMailStore.Message("Subject: 2\r\n\r\n"), TempMailStore.Message("Subject: 3\r\n\r\n")]);
        Assert.Equal([1u, 2u, 3u], results.Select(r => r.Uid));
        Assert.Single(results.Select(r => r.ModSeq).Distinct());

        // The second message fails while streaming: the first, already on disk, must not appear.
        var failing = new NewMessage(new FailingStream(), [], null);
        var lost = await Assert.ThrowsAsync<MailStoreException>(() => account.AppendAsync(inbox.Id, [TempMailStore.Message("Subject: 4\r\n\r\n"), failing]));
        Assert.Equal(MailStoreError.Unavailable, lost.Error);
        // A batch aimed at a mailbox that does not exist stores nothing either.
        var missing = await Assert.ThrowsAsync<MailStoreException>(() => account.AppendAsync(999_999, [TempMailStore.Message("Subject: 5\r\n\r\n")]));
        Assert.Equal(MailStoreError.NonExistent, missing.Error);

        var status = await account.GetStatusAsync(inbox.Id);
        Assert.Equal(3, status.Messages);
        Assert.Equal(4u, status.UidNext);
        var report = await temp.Store.CheckAsync(repair: false);
        // Blobs staged for the failed batches are orphans (DESIGN rule 3), found by the check. The
        // first batch's good message may or may not have reached its blob file before the failure
        // of its sibling cancelled the staging; the second batch's always did.
        Assert.InRange(report.Problems.Count(p => p.Contains("orphan", StringComparison.Ordinal)), 1, 2);
        Assert.Equal(report.Problems.Count, report.Problems.Count(p => p.Contains("orphan", StringComparison.Ordinal)));
        Assert.True((await temp.Store.CheckAsync(repair: true)).OrphanBlobsRemoved >= 1);
        Assert.True((await temp.Store.CheckAsync(repair: false)).Healthy);
    }

    [Fact]
    public async Task Concurrent_appends_from_fifty_tasks_all_land_with_distinct_uids()
    {
        await using var temp = TempMailStore.Create();
        var inboxId = 0L;
        await using (var probe = await temp.OpenAsync())
        {
            inboxId = (await probe.GetMailboxAsync("INBOX"))!.Id;
        }
        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            await using var session = await temp.OpenAsync();
            var result = await session.AppendAsync(inboxId, [TempMailStore.Message($"Subject: message {i}\r\n\r\nbody {i}\r\n")]);
            return (i, result[0].Uid);
        }).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(50, results.Select(r => r.Uid).Distinct().Count());

        await using var account = await temp.OpenAsync();
        var records = await account.GetMessagesAsync(inboxId, results.Select(r => r.Uid).ToList(), MessageFields.Envelope);
        Assert.Equal(50, records.Count);
        foreach (var (i, uid) in results)
        {
            Assert.Equal($"message {i}", records.Single(r => r.Uid == uid).Envelope!.Subject);
        }
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("connection lost");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
