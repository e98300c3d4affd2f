using System.Diagnostics;

namespace Letterbox.Bench;

/// <summary>
/// Latency samples in microseconds, recorded per worker without locks and merged at the end; the
/// percentiles come from the sorted array (exact, not bucketed — the sample counts here are small
/// enough to keep every one).
/// </summary>
internal sealed class Latencies
{
    private readonly List<long> _micros = new(1024);

    public int Count => _micros.Count;

    public void Record(long startTimestamp) => _micros.Add((long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds);

    public void RecordMicros(long micros) => _micros.Add(micros);

    public static Latencies Merge(IEnumerable<Latencies> parts)
    {
        var all = new Latencies();
        foreach (var part in parts)
        {
            lock (part._micros)
            {
                all._micros.AddRange(part._micros);
            }
        }
        all._micros.Sort();
        return all;
    }

    /// <summary>The p-th percentile in milliseconds (nearest-rank on the sorted samples).</summary>
    public double Percentile(double p)
    {
        if (_micros.Count == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * _micros.Count) - 1;
        return _micros[Math.Clamp(rank, 0, _micros.Count - 1)] / 1000.0;
    }

    public double Max => _micros.Count == 0 ? double.NaN : _micros[^1] / 1000.0;

    /// <summary>Writes p50/p90/p99/max lines for a scenario.</summary>
    public void Report(Results results, string scenario, string what)
    {
        results.Add(scenario, what + " p50 ms", Percentile(50), lowerIsBetter: true);
        results.Add(scenario, what + " p90 ms", Percentile(90), lowerIsBetter: true);
        results.Add(scenario, what + " p99 ms", Percentile(99), lowerIsBetter: true);
        results.Add(scenario, what + " max ms", Max, lowerIsBetter: true);
    }
}

/// <summary>
/// Result lines: <c>RESULT\tscenario\tmetric\tvalue\tdirection</c>, read by bench/run.sh and
/// bench/table.py. The direction says which way is better: <c>higher</c>, <c>lower</c>, or
/// <c>info</c> for a figure that describes the run rather than ranks the servers (sessions opened,
/// messages in the mailbox, server processes).
/// </summary>
internal sealed class Results
{
    public void Add(string scenario, string metric, double value, bool lowerIsBetter = false) =>
        Write(scenario, metric, value, lowerIsBetter ? "lower" : "higher");

    /// <summary>A figure that describes the run (both servers should show the same, or it explains another row).</summary>
    public void Info(string scenario, string metric, double value) => Write(scenario, metric, value, "info");

    private static void Write(string scenario, string metric, double value, string direction) =>
        Console.WriteLine(FormattableString.Invariant($"RESULT\t{scenario}\t{metric}\t{value:0.###}\t{direction}"));
}
