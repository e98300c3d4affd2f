using Letterbox.Smtp.Delivery;

namespace Letterbox.Tests.Smtp;

/// <summary>DATA's spool: small messages in memory, larger ones spilled to a file, a failed spill reported, never a partial message passed on as whole.</summary>
public sealed class MessageSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "letterbox-spool-" + Guid.NewGuid().ToString("N"));

    public MessageSpoolTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private FileStream OpenFile() => new(Path.Combine(_directory, "spool-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0, FileOptions.DeleteOnClose);

    private static byte[] Message(int size) => Enumerable.Range(0, size).Select(i => (byte)('a' + i % 26)).ToArray();

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        stream.Position = 0;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(MessageSpool.InMemoryLimit)]
    public async Task A_message_up_to_the_limit_stays_in_memory(int size)
    {
        var opened = 0;
        await using var spool = new MessageSpool(() => { opened++; return OpenFile(); });
        var message = Message(size);
        for (var at = 0; at < size; at += 1000)
        {
            spool.Write(message.AsSpan(at, Math.Min(1000, size - at)));
        }
        Assert.Equal(0, opened);
        Assert.False(spool.Spilled);
        Assert.Equal(size, spool.Length);
        Assert.Equal(message, await ReadAllAsync(spool));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_larger_message_spills_to_one_file_that_is_deleted_on_close()
    {
        var opened = 0;
        var message = Message(MessageSpool.InMemoryLimit * 3 + 17);
        var spool = new MessageSpool(() => { opened++; return OpenFile(); });
        await using (spool)
        {
            for (var at = 0; at < message.Length; at += 4096)
            {
                spool.Write(message.AsSpan(at, Math.Min(4096, message.Length - at)));
            }
            Assert.Equal(1, opened);
            Assert.True(spool.Spilled);
            Assert.False(spool.Failed);
            Assert.Equal(message.Length, spool.Length);
            Assert.Equal(message, await ReadAllAsync(spool));
            Assert.Single(Directory.GetFiles(_directory));
        }
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_spill_the_disk_refuses_marks_the_spool_failed()
    {
        using var spool = new MessageSpool(() => throw new IOException("No space left on device"));
        spool.Write(Message(MessageSpool.InMemoryLimit - 10));
        Assert.False(spool.Failed);
        spool.Write(Message(100));
        Assert.True(spool.Failed);
        spool.Write(Message(100));
        Assert.True(spool.Failed);
    }
}
