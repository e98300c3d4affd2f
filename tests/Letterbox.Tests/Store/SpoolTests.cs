using Letterbox.Core;

namespace Letterbox.Tests.Store;

public sealed class SpoolTests
{
    [Fact]
    public void Sweep_removes_old_spool_files_and_keeps_young_ones()
    {
        var root = Path.Combine(Path.GetTempPath(), "letterbox-spool-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Spool.Directory(root));
            var old = Path.Combine(Spool.Directory(root), "smtp-old");
            var young = Path.Combine(Spool.Directory(root), "imap-young");
            File.WriteAllText(old, "left by a killed process");
            File.WriteAllText(young, "a transfer in progress");
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow - TimeSpan.FromHours(2));

            Assert.Equal(1, Spool.Sweep(root, Spool.SweepAge, TimeProvider.System));
            Assert.False(File.Exists(old));
            Assert.True(File.Exists(young));
            Assert.Equal(0, Spool.Sweep(Path.Combine(root, "missing"), Spool.SweepAge, TimeProvider.System));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
