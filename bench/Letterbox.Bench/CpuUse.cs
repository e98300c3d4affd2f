using System.Diagnostics;
using System.Globalization;

namespace Letterbox.Bench;

/// <summary>
/// CPU time used during a timed window by the server (its process and every process under it, from
/// /proc, as <see cref="ServerMemory"/> finds them) and by this load generator. Both share the
/// machine's cores, so when the machine is saturated the generator's share is taken from whichever
/// server runs; the server's CPU per operation is the figure that compares the servers themselves.
/// </summary>
internal sealed class CpuUse
{
    private const double TicksPerSecond = 100; // USER_HZ: the unit of /proc/PID/stat's times on Linux

    private readonly IReadOnlyList<int> _roots;
    private readonly double _server;
    private readonly TimeSpan _client;

    private CpuUse(IReadOnlyList<int> roots)
    {
        _roots = roots;
        _server = ServerSeconds(roots);
        _client = Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>Starts counting; null when no server pid is known (no figure rather than a wrong one).</summary>
    public static CpuUse? Start(IReadOnlyList<int> roots) => roots.Count > 0 && OperatingSystem.IsLinux() ? new CpuUse(roots) : null;

    /// <summary>Seconds of CPU the server and the load generator used since <see cref="Start"/>.</summary>
    public (double Server, double Client) Stop() =>
        (ServerSeconds(_roots) - _server, (Process.GetCurrentProcess().TotalProcessorTime - _client).TotalSeconds);

    /// <summary>
    /// utime + stime of every process of the server, plus cutime + cstime (its children that exited
    /// and were reaped: Dovecot's per-connection processes), in seconds.
    /// </summary>
    private static double ServerSeconds(IReadOnlyList<int> roots)
    {
        long ticks = 0;
        foreach (var pid in ServerMemory.Members(roots))
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after "pid (comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                for (var i = 11; i <= 14; i++)
                {
                    ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // Exited between the listing and the read: its time moves to its parent's cutime.
            }
        }
        return ticks / TicksPerSecond;
    }
}
