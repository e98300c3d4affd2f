using System.Diagnostics;

namespace Letterbox.Bench;

/// <summary>
/// Runs N workers for a fixed time. Throughput mode: each worker starts its next operation as soon as
/// the last one finished (closed loop). Latency mode (<c>--rate R</c>): operations are scheduled at a
/// fixed rate and latency is measured from the scheduled start, so a stalled server is not hidden by
/// the client waiting for it (no coordinated omission).
/// </summary>
internal static class LoadLoop
{
    public sealed record Outcome(long Operations, double Seconds, Latencies Latency, long Errors, string? FirstError, (double Server, double Client)? Cpu = null);

    /// <summary>The server's process(es) (<c>--pids</c>): the CPU they use in each timed window is reported.</summary>
    public static IReadOnlyList<int> ServerPids { get; set; } = [];

    public static async Task<Outcome> RunAsync(int workers, double seconds, double rate,
        Func<int, Task<object?>> open, Func<int, object?, long, Task> operation, Func<object?, Task> close)
    {
        var latencies = new Latencies[workers];
        var counts = new long[workers];
        long errors = 0;
        string? firstError = null;
        var states = new object?[workers];
        for (var w = 0; w < workers; w++)
        {
            latencies[w] = new Latencies();
            states[w] = await open(w).ConfigureAwait(false);
        }
        var interval = rate > 0 ? Stopwatch.Frequency * workers / rate : 0;
        var cpu = CpuUse.Start(ServerPids);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(seconds * Stopwatch.Frequency);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(async () =>
            {
                long i = 0;
                var next = start + (long)(interval * worker / workers);
                while (true)
                {
                    long scheduled;
                    if (interval > 0)
                    {
                        scheduled = next;
                        next += (long)interval;
                        var wait = scheduled - Stopwatch.GetTimestamp();
                        if (wait > 0)
                        {
                            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency)).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        scheduled = Stopwatch.GetTimestamp();
                    }
                    if (scheduled >= end)
                    {
                        break;
                    }
                    try
                    {
                        await operation(worker, states[worker], i++).ConfigureAwait(false);
                        latencies[worker].Record(scheduled);
                        counts[worker]++;
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                        // A broken connection: open a new one for this worker.
                        try
                        {
                            await close(states[worker]).ConfigureAwait(false);
                        }
                        catch (Exception ce) when (ce is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
                        {
                        }
                        states[worker] = await open(worker).ConfigureAwait(false);
                    }
                }
            });
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = cpu?.Stop();
        foreach (var state in states)
        {
            await close(state).ConfigureAwait(false);
        }
        return new Outcome(counts.Sum(), elapsed, Latencies.Merge(latencies), errors, firstError, used);
    }

    public static void Report(Results results, string scenario, string unit, Outcome outcome)
    {
        results.Add(scenario, unit + "/s", outcome.Operations / outcome.Seconds);
        outcome.Latency.Report(results, scenario, unit);
        if (outcome.Cpu is { } cpu && outcome.Operations > 0)
        {
            // What each operation cost the server, whatever the load generator took of the same cores.
            results.Add(scenario, "server CPU ms per " + unit.TrimEnd('s'), cpu.Server * 1000 / outcome.Operations, lowerIsBetter: true);
            results.Info(scenario, "load generator CPU % of a core", cpu.Client * 100 / outcome.Seconds);
        }
        if (outcome.Errors > 0)
        {
            Console.Error.WriteLine($"{scenario}: {outcome.Errors} errors, first: {outcome.FirstError}");
        }
        // Always written, zero included: a row only one server has would leave the other's cell empty.
        results.Add(scenario, "errors", outcome.Errors, lowerIsBetter: true);
    }
}
