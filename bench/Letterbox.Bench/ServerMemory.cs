using System.Globalization;

namespace Letterbox.Bench;

/// <summary>
/// Memory of a server and every process under it, from /proc: the RSS sum (what `ps` adds up; counts
/// shared pages once per process, which flatters nobody with many processes) and the PSS sum from
/// smaps_rollup (shared pages divided among the processes that map them: the fair total).
/// </summary>
internal static class ServerMemory
{
    public static (double RssMb, double PssMb, int Processes) Measure(IReadOnlyList<int> roots)
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

        long rssKb = 0, pssKb = 0;
        foreach (var pid in members)
        {
            rssKb += ReadKb($"/proc/{pid}/status", "VmRSS:");
            pssKb += ReadKb($"/proc/{pid}/smaps_rollup", "Pss:");
        }
        return (rssKb / 1024.0, pssKb / 1024.0, members.Count);
    }

    private static long ReadKb(string path, string key)
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
        return 0;
    }
}
