using System.Diagnostics;
using System.Globalization;

namespace Letterbox.Bench;

/// <summary>Scenario 7 (LMTP delivery), scenario 8 (POP3 download), the loading of both servers, and the loopback baseline.</summary>
internal static class DeliveryScenarios
{
    /// <summary>8 LMTP sessions deliver 4–32 KB messages to 16 accounts; each 250 means durable.</summary>
    public static async Task LmtpAsync(BenchOptions o, Results results)
    {
        var clients = o.Clients > 0 ? o.Clients : 8;
        var pool = Enumerable.Range(0, 64).Select(i => LmtpClient.DotStuff(MessageGenerator.Create(600_000 + i, 4096 + (i * 449 % 28) * 1024))).ToArray();
        var outcome = await LoadLoop.RunAsync(clients, o.DurationSeconds, o.Rate,
            async _ => await LmtpClient.ConnectAsync(o.LmtpEndPoint).ConfigureAwait(false),
            (w, state, i) => ((LmtpClient)state!).DeliverAsync(Users.DeliveryUser(o, (int)(w + i * clients)), pool[(int)((i + w) % pool.Length)]),
            async state =>
            {
                var lmtp = (LmtpClient)state!;
                await lmtp.QuitAsync().ConfigureAwait(false);
                await lmtp.DisposeAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
        LoadLoop.Report(results, "lmtp", "messages", outcome);
    }

    /// <summary>USER/PASS, STAT, RETR of every message one after the other, QUIT (nothing deleted).</summary>
    public static async Task Pop3Async(BenchOptions o, Results results)
    {
        long messages = 0, bytes = 0;
        var downloads = new Latencies();
        var start = Stopwatch.GetTimestamp();
        do
        {
            var t = Stopwatch.GetTimestamp();
            await using var wire = await Wire.ConnectAsync(o.Pop3EndPoint).ConfigureAwait(false);
            await ExpectOkAsync(wire).ConfigureAwait(false);
            await wire.SendAsync($"USER {o.Address("pop")}\r\n").ConfigureAwait(false);
            await ExpectOkAsync(wire).ConfigureAwait(false);
            await wire.SendAsync($"PASS {o.Password}\r\n").ConfigureAwait(false);
            await ExpectOkAsync(wire).ConfigureAwait(false);
            await wire.SendAsync("STAT\r\n").ConfigureAwait(false);
            var stat = await ExpectOkAsync(wire).ConfigureAwait(false);
            var count = int.Parse(stat.Split(' ')[1], CultureInfo.InvariantCulture);
            for (var i = 1; i <= count; i++)
            {
                await wire.SendAsync($"RETR {i}\r\n").ConfigureAwait(false);
                await ExpectOkAsync(wire).ConfigureAwait(false);
                await wire.SkipDotTerminatedAsync().ConfigureAwait(false);
            }
            await wire.SendAsync("QUIT\r\n").ConfigureAwait(false);
            await ExpectOkAsync(wire).ConfigureAwait(false);
            messages += count;
            bytes += wire.BodyBytes;
            downloads.Record(t);
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < o.DurationSeconds);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        results.Add("pop3", "messages/s", messages / elapsed);
        results.Add("pop3", "MB/s", bytes / elapsed / 1e6);
        results.Add("pop3", "maildrop download s", Latencies.Merge([downloads]).Percentile(50) / 1000, lowerIsBetter: true);
    }

    private static async Task<string> ExpectOkAsync(Wire wire)
    {
        var line = await wire.ReadLineAsync().ConfigureAwait(false);
        if (!line.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new IOException("POP3: " + line);
        }
        return line;
    }

    /// <summary>
    /// Loads the same messages into a server over LMTP, 8 sessions at once: the mixed users (generated
    /// mail and the SpamAssassin corpus), 1 MB messages for FETCH, 20,000 for SEARCH, 2,000 for POP3.
    /// </summary>
    public static async Task SeedAsync(BenchOptions o)
    {
        var corpus = SpamCorpus.Load(o.Corpus, int.MaxValue);
        Console.Error.WriteLine($"seed: {corpus.Count} corpus messages from {o.Corpus ?? "(none)"}");
        var perUser = o.Small ? 10 : 30;
        var corpusPerUser = o.Small ? 3 : 10;
        var large = o.Small ? 8 : 40;
        var search = o.Small ? 2000 : 20000;
        var pop = o.Small ? 300 : 2000;
        var jobs = new List<(string To, Func<byte[]> Message)>();
        for (var u = 0; u < Users.Mixed; u++)
        {
            var to = o.MixedUser(u);
            for (var i = 0; i < perUser; i++)
            {
                var index = 100_000 + u * 100 + i;
                jobs.Add((to, () => MessageGenerator.Create(index, MessageGenerator.MixedSize(index), to)));
            }
            for (var i = 0; i < corpusPerUser && corpus.Count > 0; i++)
            {
                var c = corpus[(u * corpusPerUser + i) % corpus.Count];
                jobs.Add((to, () => c));
            }
        }
        for (var i = 0; i < large; i++)
        {
            var index = 200_000 + i * 5 + 2; // shape 2: a text part and a base64 attachment
            jobs.Add((o.Address("large"), () => MessageGenerator.Create(index, 1024 * 1024 - 4096)));
        }
        for (var i = 0; i < search; i++)
        {
            var index = 300_000 + i;
            var corpusIndex = i / 4;
            jobs.Add(corpus.Count > 0 && i % 4 == 0
                ? (o.Address("search"), () => corpus[corpusIndex % corpus.Count])
                : (o.Address("search"), () => MessageGenerator.Create(index, 2048 + index % 6144)));
        }
        for (var i = 0; i < pop; i++)
        {
            var index = 400_000 + i;
            jobs.Add((o.Address("pop"), () => MessageGenerator.Create(index, Math.Min(MessageGenerator.MixedSize(index), 128 * 1024))));
        }
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var lmtp = await LmtpClient.ConnectAsync(o.LmtpEndPoint).ConfigureAwait(false);
            int j;
            while ((j = Interlocked.Increment(ref next)) < jobs.Count)
            {
                await lmtp.DeliverAsync(jobs[j].To, LmtpClient.DotStuff(jobs[j].Message())).ConfigureAwait(false);
            }
            await lmtp.QuitAsync().ConfigureAwait(false);
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        Console.Error.WriteLine($"seed: {jobs.Count} messages delivered in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s");
    }

    /// <summary>Loopback TCP bandwidth through the same socket and pipe code: the ceiling for FETCH and RETR.</summary>
    public static async Task LoopbackAsync(BenchOptions o, Results results)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var endPoint = (System.Net.IPEndPoint)listener.LocalEndpoint;
        var seconds = Math.Min(o.DurationSeconds, 5);
        var sender = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync().ConfigureAwait(false);
            var chunk = new byte[256 * 1024];
            var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                await socket.SendAsync(chunk).ConfigureAwait(false);
            }
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        await using var wire = await Wire.ConnectAsync(endPoint).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        try
        {
            await wire.SkipAsync(long.MaxValue / 2).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await sender.ConfigureAwait(false);
        results.Add("loopback", "MB/s", wire.BodyBytes / elapsed / 1e6);
    }
}
