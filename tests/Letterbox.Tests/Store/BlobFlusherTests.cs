using System.Security.Cryptography;
using System.Text;
using Letterbox.Store;
using Letterbox.Store.Embedded;
using Microsoft.Win32.SafeHandles;

namespace Letterbox.Tests.Store;

/// <summary>
/// The grouped disk flushes of staged blobs (DESIGN rule 3): blobs staged while a group is being
/// flushed share the next group; nobody is completed before its group's flush step has run; a failed
/// step fails every waiter of its group; and a blob is durable under its address when staging returns.
/// </summary>
public sealed class BlobFlusherTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "letterbox-flush-" + Guid.NewGuid().ToString("N"));
    private readonly List<SafeFileHandle> _handles = [];

    public BlobFlusherTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Blobs_queued_while_a_group_flushes_share_the_next_group_and_all_complete_only_after_it()
    {
        using var gate = new ManualResetEventSlim();
        var groups = new List<int>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flusher = new BlobFlusher(group =>
        {
            lock (groups)
            {
                groups.Add(group.Count);
            }
            firstStarted.TrySetResult();
            Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
            BlobFlusher.FlushGroup(group);
        });

        var first = Queue(flusher, "first");
        await firstStarted.Task;
        var rest = Enumerable.Range(0, 5).Select(i => Queue(flusher, "rest" + i)).ToList();

        // The flush step is held: nobody is acknowledged, nothing has reached its address.
        Assert.False(first.Task.IsCompleted);
        Assert.All(rest, r => Assert.False(r.Task.IsCompleted));
        Assert.All(rest, r => Assert.False(File.Exists(r.Final)));

        gate.Set();
        await first.Task;
        await Task.WhenAll(rest.Select(r => r.Task));

        Assert.Equal([1, 5], groups);
        Assert.Equal(2, flusher.Groups);
        foreach (var r in rest.Prepend(first))
        {
            Assert.False(File.Exists(r.Temp));
            Assert.Equal(r.Content, await File.ReadAllTextAsync(r.Final));
        }
    }

    [Fact]
    public async Task A_failed_flush_step_fails_every_waiter_of_its_group_and_no_other()
    {
        using var gate = new ManualResetEventSlim();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var flusher = new BlobFlusher(group =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call == 1)
            {
                firstStarted.TrySetResult();
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
                BlobFlusher.FlushGroup(group);
                return;
            }
            if (call == 2)
            {
                throw new IOException("simulated fsync failure");
            }
            BlobFlusher.FlushGroup(group);
        });

        var healthy = Queue(flusher, "healthy");
        await firstStarted.Task;
        var doomed = Enumerable.Range(0, 4).Select(i => Queue(flusher, "doomed" + i)).ToList();
        gate.Set();

        await healthy.Task;
        foreach (var d in doomed)
        {
            var error = await Assert.ThrowsAsync<IOException>(() => d.Task);
            Assert.Equal("simulated fsync failure", error.Message);
        }
        // The flusher keeps going after a failed group.
        var after = Queue(flusher, "after");
        await after.Task;
        Assert.Equal("after", await File.ReadAllTextAsync(after.Final));
    }

    [Fact]
    public async Task An_append_is_acknowledged_only_after_the_flush_of_its_blob_and_a_failed_flush_stores_nothing()
    {
        using var gate = new ManualResetEventSlim();
        var fail = false;
        var flushing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flusher = new BlobFlusher(group =>
        {
            flushing.TrySetResult();
            Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
            if (Volatile.Read(ref fail))
            {
                throw new IOException("simulated fsync failure");
            }
            BlobFlusher.FlushGroup(group);
        });
        var blobs = new BlobStore(Path.Combine(_directory, "blobs"), flusher);
        var bytes = Encoding.ASCII.GetBytes("Subject: held\r\n\r\nbody\r\n");

        var staging = blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        await flushing.Task;
        Assert.False(staging.IsCompleted);
        var id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.False(File.Exists(blobs.PathOf(id)));
        gate.Set();
        var staged = await staging;
        Assert.Equal(id, staged.BlobId);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(blobs.PathOf(id)));
        Assert.Equal("held", staged.Ingested.Envelope.Subject);
        blobs.Release(id);

        Volatile.Write(ref fail, true);
        var other = Encoding.ASCII.GetBytes("Subject: lost\r\n\r\nbody\r\n");
        var error = await Assert.ThrowsAsync<MailStoreException>(() => blobs.StageAsync(new MemoryStream(other), 1 << 20, CancellationToken.None));
        Assert.Equal(MailStoreError.Unavailable, error.Error);
        // Nothing unflushed is left under the address for a later staging to take for durable.
        Assert.False(File.Exists(blobs.PathOf(Convert.ToHexStringLower(SHA256.HashData(other)))));
        Assert.Empty(Directory.EnumerateFiles(blobs.Directory, BlobStore.TempPrefix + "*"));
    }

    [Fact]
    public async Task The_same_content_staged_again_between_rename_and_directory_flush_waits_for_that_flush()
    {
        using var gate = new ManualResetEventSlim();
        var renamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var directoryFlushed = false;
        var flusher = new BlobFlusher(group =>
        {
            foreach (var request in group)
            {
                RandomAccess.FlushToDisk(request.File);
                File.Move(request.TempPath, request.FinalPath, overwrite: true);
            }
            // The file is under its address now, but its directory entry is not yet durable.
            renamed.TrySetResult();
            Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
            foreach (var request in group)
            {
                BlobStore.FlushDirectory(Path.GetDirectoryName(request.FinalPath)!);
            }
            Volatile.Write(ref directoryFlushed, true);
        });
        var blobs = new BlobStore(Path.Combine(_directory, "blobs"), flusher);
        var bytes = Encoding.ASCII.GetBytes("Subject: twice\r\n\r\nsame\r\n");

        var first = blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        await renamed.Task;
        Assert.True(File.Exists(blobs.PathOf(Convert.ToHexStringLower(SHA256.HashData(bytes)))));
        // Staging runs synchronously up to its wait for durability: a task not completed here is waiting.
        var second = blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        Assert.False(second.IsCompleted);
        gate.Set();
        Assert.Equal((await first).BlobId, (await second).BlobId);
        Assert.True(Volatile.Read(ref directoryFlushed));
        Assert.Equal(1, flusher.Groups);
    }

    [Fact]
    public async Task A_blob_is_renamed_to_its_free_address_before_its_flush_and_acknowledged_only_after_it()
    {
        using var gate = new ManualResetEventSlim();
        var fsyncsHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flusher = new BlobFlusher(group => BlobFlusher.FlushGroup(group, (count, action) =>
        {
            // The file and directory flushes of the group: held until the test has looked.
            fsyncsHeld.TrySetResult();
            Assert.True(gate.Wait(TimeSpan.FromSeconds(30)));
            for (var i = 0; i < count; i++)
            {
                action(i);
            }
        }));
        var blobs = new BlobStore(Path.Combine(_directory, "blobs"), flusher);
        var bytes = Encoding.ASCII.GetBytes("Subject: renamed first\r\n\r\nbody\r\n");

        var staging = blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        await fsyncsHeld.Task;
        var id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.True(File.Exists(blobs.PathOf(id)));
        Assert.False(staging.IsCompleted);
        gate.Set();
        Assert.Equal(id, (await staging).BlobId);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(blobs.PathOf(id)));
        Assert.Empty(Directory.EnumerateFiles(blobs.Directory, BlobStore.TempPrefix + "*"));
    }

    [Fact]
    public async Task A_file_under_the_address_this_store_did_not_flush_is_replaced_and_one_it_flushed_is_reused()
    {
        var groups = 0;
        var flusher = new BlobFlusher(group =>
        {
            Interlocked.Increment(ref groups);
            BlobFlusher.FlushGroup(group);
        });
        var directory = Path.Combine(_directory, "blobs");
        var bytes = Encoding.ASCII.GetBytes("Subject: torn\r\n\r\nthe whole body\r\n");
        var id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // What a power loss between the rename and the flush can leave: the name, not the bytes.
        var torn = Path.Combine(directory, id[..2], id);
        Directory.CreateDirectory(Path.GetDirectoryName(torn)!);
        await File.WriteAllBytesAsync(torn, bytes[..7]);
        var blobs = new BlobStore(directory, flusher);

        var first = await blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        Assert.Equal(id, first.BlobId);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(torn));
        Assert.Equal(1, Volatile.Read(ref groups));

        var again = await blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        Assert.Equal(id, again.BlobId);
        Assert.Equal(1, Volatile.Read(ref groups));
        Assert.Empty(Directory.EnumerateFiles(directory, BlobStore.TempPrefix + "*"));
    }

    [Fact]
    public async Task A_flush_that_fails_after_the_rename_is_not_trusted_and_the_next_staging_flushes_again()
    {
        var calls = 0;
        var flusher = new BlobFlusher(group =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Renamed under the address, then the fsync step fails: the name points at unflushed bytes.
                BlobFlusher.FlushGroup(group, (_, _) => throw new IOException("simulated fsync failure"));
                return;
            }
            BlobFlusher.FlushGroup(group);
        });
        var blobs = new BlobStore(Path.Combine(_directory, "blobs"), flusher);
        var bytes = Encoding.ASCII.GetBytes("Subject: retried\r\n\r\nbody\r\n");
        var id = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var error = await Assert.ThrowsAsync<MailStoreException>(() => blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None));
        Assert.Equal(MailStoreError.Unavailable, error.Error);
        Assert.True(File.Exists(blobs.PathOf(id)));

        var staged = await blobs.StageAsync(new MemoryStream(bytes), 1 << 20, CancellationToken.None);
        Assert.Equal(id, staged.BlobId);
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(blobs.PathOf(id)));
        Assert.Empty(Directory.EnumerateFiles(blobs.Directory, BlobStore.TempPrefix + "*"));
    }

    [Fact]
    public async Task Large_messages_are_analysed_from_their_file_with_the_same_result()
    {
        var blobs = new BlobStore(Path.Combine(_directory, "blobs"));
        var body = new StringBuilder();
        while (body.Length <= BlobStore.InMemoryAnalysisLimit)
        {
            body.Append("a line of text to make the message larger than the in-memory limit\r\n");
        }
        var small = Encoding.ASCII.GetBytes("Subject: big\r\nContent-Type: text/plain\r\n\r\nshort\r\n");
        var large = Encoding.ASCII.GetBytes("Subject: big\r\nContent-Type: text/plain\r\n\r\n" + body);

        var fromMemory = await blobs.StageAsync(new MemoryStream(small), int.MaxValue, CancellationToken.None);
        var fromFile = await blobs.StageAsync(new MemoryStream(large), int.MaxValue, CancellationToken.None);

        Assert.Equal("big", fromFile.Ingested.Envelope.Subject);
        Assert.Equal(fromMemory.Ingested.Structure.HeaderLength, fromFile.Ingested.Structure.HeaderLength);
        Assert.Equal(large.Length - fromFile.Ingested.Structure.BodyOffset, fromFile.Ingested.Structure.BodyLength);
        Assert.Equal(large.Count(b => b == (byte)'\n') - 3, fromFile.Ingested.Structure.Lines);
        Assert.Equal(large, await File.ReadAllBytesAsync(blobs.PathOf(fromFile.BlobId)));
    }

    private (Task Task, string Temp, string Final, string Content) Queue(BlobFlusher flusher, string content)
    {
        var temp = Path.Combine(_directory, BlobStore.TempPrefix + content);
        var final = Path.Combine(_directory, content);
        File.WriteAllText(temp, content);
        var handle = File.OpenHandle(temp, FileMode.Open, FileAccess.ReadWrite);
        _handles.Add(handle);
        return (flusher.FlushAsync(handle, temp, final), temp, final, content);
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
