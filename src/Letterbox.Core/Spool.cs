namespace Letterbox.Core;

/// <summary>
/// The spool: <c>data/spool</c>, where a message too big to hold in memory waits between the socket
/// and the store (IMAP APPEND literals, SMTP/LMTP DATA and BDAT). It is on the same file system as
/// the store, never in /tmp, so a large upload cannot fill a small tmpfs, and it is swept at start.
/// </summary>
public static class Spool
{
    /// <summary>Spool files of a crashed process older than this are removed at start.</summary>
    public static readonly TimeSpan SweepAge = TimeSpan.FromHours(1);

    public static string Directory(string dataDirectory) => Path.Combine(dataDirectory, "spool");

    /// <summary>
    /// Removes spool files older than <paramref name="olderThan"/>: left by a process that was killed
    /// mid-transfer; nothing acknowledged depends on them. Younger files may belong to a transfer in
    /// progress in another process and are left alone. Returns how many were removed.
    /// </summary>
    public static int Sweep(string dataDirectory, TimeSpan olderThan, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var directory = Directory(dataDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            return 0;
        }
        var removed = 0;
        var cutoff = clock.GetUtcNow().UtcDateTime - olderThan;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc >= cutoff)
            {
                continue;
            }
            try
            {
                file.Delete();
                removed++;
            }
            catch (IOException)
            {
                // In use or gone already: the next start tries again.
            }
        }
        return removed;
    }
}
