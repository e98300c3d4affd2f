using System.Globalization;

namespace Letterbox.Bench;

/// <summary>
/// Memory of a server and every process under it, from /proc: the RSS sum (what `ps` adds up; counts
/// shared pages once per process, which flatters nobody with many processes) and the PSS sum from
/// smaps_rollup (shared pages divided among the processes that map them: the fair total).
/// For Dovecot the root is its master process, and every service process (auth, anvil, log, config,
/// the login processes and one imap process per session) is a descendant of it, so all are counted;
/// Letterbox is one process. Processes whose smaps_rollup cannot be read (another user's, when not
/// run as root) are counted in <c>Unreadable</c> so that a short total does not pass unnoticed.
/// </summary>
internal static class ServerMemory
{
    public static (double RssMb, double PssMb, int Processes, int Unreadable) Measure(IReadOnlyList<int> roots)
    {
        var members = Members(roots);
        long rssKb = 0, pssKb = 0;
        var unreadable = 0;
        foreach (var pid in members)
        {
            rssKb += ReadKb($"/proc/{pid}/status", "VmRSS:") ?? 0;
            var pss = ReadKb($"/proc/{pid}/smaps_rollup", "Pss:");
            if (pss is null && Directory.Exists($"/proc/{pid}"))
            {
                unreadable++;
            }
            pssKb += pss ?? 0;
        }
        return (rssKb / 1024.0, pssKb / 1024.0, members.Count, unreadable);
    }

    /// <summary>The processes <paramref name="roots"/> and every process under them, now.</summary>
    public static HashSet<int> Members(IReadOnlyList<int> roots)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }
        var members = new HashSet<int>(roots.Where(parents.ContainsKey));
        bool added;
        do
        {
            added = false;
            foreach (var (pid, ppid) in parents)
            {
                if (members.Contains(ppid) && members.Add(pid))
                {
                    added = true;
                }
            }
        }
        while (added);
        return members;
    }

    /// <summary>The value of a "Key: N kB" line; null when the file cannot be read or has no such line.</summary>
    private static long? ReadKb(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var digits = line[key.Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
