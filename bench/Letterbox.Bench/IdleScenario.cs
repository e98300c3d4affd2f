using System.Diagnostics;

namespace Letterbox.Bench;

/// <summary>
/// Scenario 6: N sessions logged in, INBOX selected, in IDLE (RFC 2177). Measures the server's memory
/// (all its processes, from /proc) before and with the sessions open, then delivers messages over
/// LMTP one at a time and times, in every session of the recipient, the arrival of <c>* n EXISTS</c>
/// after the last byte of the LMTP DATA was sent.
/// </summary>
internal static class IdleScenario
{
    /// <summary>Logins in flight at once while the sessions are being opened.</summary>
    private const int LoginConcurrency = 32;

    public static async Task RunAsync(BenchOptions o, Results results)
    {
        var n = o.Sessions;
        var scenario = "idle-" + n;
        var before = ServerMemory.Measure(o.ServerPids);
        var sessions = new ImapClient?[n];
        var deliveredAt = new long[Users.Idle];
        var pending = new int[Users.Idle];
        var latencies = new Latencies();
        var waiters = new TaskCompletionSource[Users.Idle];
        using var stop = new CancellationTokenSource();
        var readers = new List<Task>(n);
        var opened = 0;
        long openErrors = 0;
        var openStart = Stopwatch.GetTimestamp();
        using (var gate = new SemaphoreSlim(LoginConcurrency))
        {
            var opening = new List<Task>(n);
            for (var i = 0; i < n; i++)
            {
                var index = i;
                await gate.WaitAsync().ConfigureAwait(false);
                opening.Add(Task.Run(async () =>
                {
                    try
                    {
                        var imap = await ImapClient.ConnectAsync(o.ImapEndPoint, bufferSize: 4096).ConfigureAwait(false);
                        await imap.LoginAsync(Users.IdleUser(o, index), o.Password).ConfigureAwait(false);
                        await imap.SelectAsync("INBOX").ConfigureAwait(false);
                        await imap.StartIdleAsync().ConfigureAwait(false);
                        sessions[index] = imap;
                        Interlocked.Increment(ref opened);
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                    {
                        if (Interlocked.Increment(ref openErrors) <= 3)
                        {
                            Console.Error.WriteLine($"{scenario}: session {index}: {e.Message}");
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            await Task.WhenAll(opening).ConfigureAwait(false);
        }
        var openSeconds = Stopwatch.GetElapsedTime(openStart).TotalSeconds;
        for (var i = 0; i < n; i++)
        {
            if (sessions[i] is { } imap)
            {
                var user = i % Users.Idle;
                readers.Add(ReadPushesAsync(imap, user, deliveredAt, pending, waiters, latencies, stop.Token));
            }
        }
        // Let the server settle (GC, lazily-freed buffers) before reading its memory.
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var during = ServerMemory.Measure(o.ServerPids);

        var sessionsPerUser = new int[Users.Idle];
        for (var i = 0; i < n; i++)
        {
            if (sessions[i] is not null)
            {
                sessionsPerUser[i % Users.Idle]++;
            }
        }
        long missed = 0;
        await using (var lmtp = await LmtpClient.ConnectAsync(o.LmtpEndPoint).ConfigureAwait(false))
        {
            var message = LmtpClient.DotStuff(MessageGenerator.Create(700_000, 4096));
            for (var d = 0; d < o.Deliveries; d++)
            {
                var user = d % Users.Idle;
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref waiters[user], waiter);
                Volatile.Write(ref pending[user], sessionsPerUser[user]);
                await lmtp.DeliverAsync(Users.IdleUser(o, user), message, () => Volatile.Write(ref deliveredAt[user], Stopwatch.GetTimestamp())).ConfigureAwait(false);
                if (sessionsPerUser[user] > 0 && await Task.WhenAny(waiter.Task, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false) != waiter.Task)
                {
                    missed += Volatile.Read(ref pending[user]);
                }
            }
            await lmtp.QuitAsync().ConfigureAwait(false);
        }
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var imap in sessions)
        {
            if (imap is not null)
            {
                await imap.DisposeAsync().ConfigureAwait(false);
            }
        }
        try
        {
            await Task.WhenAll(readers).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        Console.Error.WriteLine($"{scenario}: {opened} sessions open in {openSeconds:0.0} s ({openErrors} failed); server processes {during.Processes}; pushes {latencies.Count}, missed {missed}");
        if (during.Unreadable > 0)
        {
            Console.Error.WriteLine($"{scenario}: warning: the memory of {during.Unreadable} of {during.Processes} server processes could not be read (run as root to read other users' processes)");
        }
        results.Info(scenario, "sessions open", opened);
        results.Info(scenario, "server processes", during.Processes);
        results.Add(scenario, "server RSS MB", during.RssMb, lowerIsBetter: true);
        results.Add(scenario, "server PSS MB", during.PssMb, lowerIsBetter: true);
        results.Add(scenario, "KB per session (PSS)", (during.PssMb - before.PssMb) * 1024 / Math.Max(1, opened), lowerIsBetter: true);
        var sorted = Latencies.Merge([latencies]);
        results.Add(scenario, "push p50 ms", sorted.Percentile(50), lowerIsBetter: true);
        results.Add(scenario, "push p99 ms", sorted.Percentile(99), lowerIsBetter: true);
        results.Add(scenario, "push max ms", sorted.Max, lowerIsBetter: true);
        // Always written, zero included: a row only one server has would leave the other's cell empty.
        results.Add(scenario, "missed pushes + failed opens", missed + openErrors, lowerIsBetter: true);
    }

    private static async Task ReadPushesAsync(ImapClient imap, int user, long[] deliveredAt, int[] pending,
        TaskCompletionSource[] waiters, Latencies latencies, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var line = await imap.ReadLineAsync(ct).ConfigureAwait(false);
                if (!line.EndsWith(" EXISTS", StringComparison.Ordinal))
                {
                    continue;
                }
                var elapsed = Stopwatch.GetTimestamp() - Volatile.Read(ref deliveredAt[user]);
                lock (latencies)
                {
                    latencies.RecordMicros(elapsed * 1_000_000 / Stopwatch.Frequency);
                }
                if (Interlocked.Decrement(ref pending[user]) == 0)
                {
                    Volatile.Read(ref waiters[user])?.TrySetResult();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
