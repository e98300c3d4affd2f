using System.Diagnostics;
using System.Globalization;

namespace Letterbox.Bench;

/// <summary>Scenarios 1–5 of issue 6: mixed sessions (new and kept open), APPEND, large FETCH, SEARCH BODY.</summary>
internal static class ImapScenarios
{
    private static readonly byte[][] SmallMessages = Enumerable.Range(0, 32).Select(i => MessageGenerator.Create(900_000 + i, 4096)).ToArray();

    /// <summary>
    /// One mixed session: LOGIN, SELECT, FETCH flags of all, FETCH the three newest bodies, STORE,
    /// APPEND, mark the appended message deleted, EXPUNGE, LOGOUT. The mailbox ends as it began.
    /// </summary>
    public static async Task MixedSessionAsync(BenchOptions o, int worker, long iteration)
    {
        var user = o.MixedUser((int)(worker + iteration * Math.Max(1, o.Clients)));
        await using var imap = await ImapClient.ConnectAsync(o.ImapEndPoint).ConfigureAwait(false);
        await imap.LoginAsync(user, o.Password).ConfigureAwait(false);
        await MailboxWorkAsync(imap, iteration, selectFirst: true).ConfigureAwait(false);
        await imap.CommandAsync("LOGOUT").ConfigureAwait(false);
    }

    /// <summary>The commands of a mixed session after LOGIN (SELECT only when asked: kept-open sessions select once).</summary>
    public static async Task MailboxWorkAsync(ImapClient imap, long iteration, bool selectFirst)
    {
        var exists = selectFirst ? await imap.SelectAsync("INBOX").ConfigureAwait(false) : -1;
        if (exists < 0)
        {
            var noop = await imap.CommandAsync("NOOP", keepUntagged: true).ConfigureAwait(false);
            exists = ExistsFrom(noop.Untagged!);
        }
        Check(await imap.CommandAsync("FETCH 1:* (UID FLAGS)").ConfigureAwait(false), "FETCH FLAGS");
        if (exists > 0)
        {
            var first = Math.Max(1, exists - 2);
            Check(await imap.CommandAsync($"FETCH {first}:{exists} (BODY.PEEK[])").ConfigureAwait(false), "FETCH BODY[]");
            var sign = iteration % 2 == 0 ? '+' : '-';
            Check(await imap.CommandAsync($"STORE {first} {sign}FLAGS (\\Seen)").ConfigureAwait(false), "STORE");
        }
        var message = SmallMessages[(int)(iteration % SmallMessages.Length)];
        var append = await imap.AppendAsync("INBOX", message).ConfigureAwait(false);
        Check(append, "APPEND");
        var uid = AppendUid(append.Text);
        Check(await imap.CommandAsync(uid is null ? "STORE * +FLAGS.SILENT (\\Deleted)" : $"UID STORE {uid} +FLAGS.SILENT (\\Deleted)").ConfigureAwait(false), "STORE \\Deleted");
        Check(await imap.CommandAsync("EXPUNGE").ConfigureAwait(false), "EXPUNGE");
    }

    private static int ExistsFrom(List<string> untagged)
    {
        var exists = -1;
        foreach (var line in untagged)
        {
            if (line.EndsWith(" EXISTS", StringComparison.Ordinal))
            {
                exists = int.Parse(line.AsSpan(2, line.Length - 9), CultureInfo.InvariantCulture);
            }
        }
        return exists;
    }

    /// <summary>RFC 4315 §3: <c>[APPENDUID uidvalidity uid]</c>.</summary>
    private static string? AppendUid(string text)
    {
        var at = text.IndexOf("[APPENDUID ", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var parts = text[(at + 11)..].Split(' ', ']');
        return parts.Length >= 2 ? parts[1] : null;
    }

    internal static void Check(ImapReply reply, string what)
    {
        if (!reply.Ok)
        {
            throw new IOException($"{what}: {reply.Status} {reply.Text}");
        }
    }

    /// <summary>
    /// The first pass of the mixed load, before its timed window: the same clients run one session
    /// for each of the 100 users, so every login is a first one (a password hash to verify, an
    /// account to open, and on a fresh server code to compile). Timed and reported on its own
    /// (<c>first-pass sessions …</c>): the window after it is the steady state, whose p99 the first
    /// logins of 100 users would otherwise set at any duration (a sixth of Dovecot's sessions in 10 s).
    /// </summary>
    public static async Task<Latencies> FirstPassAsync(BenchOptions o)
    {
        var clients = o.Clients > 0 ? o.Clients : 10;
        var latencies = Enumerable.Range(0, clients).Select(_ => new Latencies()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
        {
            for (long i = 0; w + i * clients < Users.Mixed; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await MixedSessionAsync(o, w, i).ConfigureAwait(false);
                latencies[w].Record(started);
            }
        }))).ConfigureAwait(false);
        return Latencies.Merge(latencies);
    }

    public static async Task<LoadLoop.Outcome> MixedAsync(BenchOptions o, bool keepOpen)
    {
        var clients = o.Clients > 0 ? o.Clients : 10;
        if (!keepOpen)
        {
            return await LoadLoop.RunAsync(clients, o.DurationSeconds, o.Rate,
                _ => Task.FromResult<object?>(null),
                (w, _, i) => MixedSessionAsync(o, w, i),
                _ => Task.CompletedTask).ConfigureAwait(false);
        }
        return await LoadLoop.RunAsync(clients, o.DurationSeconds, o.Rate,
            async w =>
            {
                var imap = await ImapClient.ConnectAsync(o.ImapEndPoint).ConfigureAwait(false);
                await imap.LoginAsync(o.MixedUser(w), o.Password).ConfigureAwait(false);
                await imap.SelectAsync("INBOX").ConfigureAwait(false);
                return imap;
            },
            (_, state, i) => MailboxWorkAsync((ImapClient)state!, i, selectFirst: false),
            async state => await ((ImapClient)state!).DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>APPEND of mixed-size messages (1 KB–1 MB), each acknowledged only once durable.</summary>
    public static async Task AppendAsync(BenchOptions o, Results results)
    {
        var clients = o.Clients > 0 ? o.Clients : 4;
        var pool = Enumerable.Range(0, 64).Select(i => MessageGenerator.Create(800_000 + i, Math.Min(MessageGenerator.MixedSize(800_000 + i), 256 * 1024))).ToArray();
        long bytes = 0;
        var outcome = await LoadLoop.RunAsync(clients, o.DurationSeconds, o.Rate,
            async w =>
            {
                var imap = await ImapClient.ConnectAsync(o.ImapEndPoint).ConfigureAwait(false);
                await imap.LoginAsync(Users.AppendUser(o, w), o.Password).ConfigureAwait(false);
                return imap;
            },
            async (w, state, i) =>
            {
                var message = pool[(int)((i * 7 + w) % pool.Length)];
                Check(await ((ImapClient)state!).AppendAsync("INBOX", message).ConfigureAwait(false), "APPEND");
                Interlocked.Add(ref bytes, message.Length);
            },
            async state => await ((ImapClient)state!).DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        LoadLoop.Report(results, "append", "messages", outcome);
        results.Add("append", "MB/s", bytes / outcome.Seconds / 1e6);
    }

    /// <summary>FETCH BODY[] of every message of a mailbox of ~1 MB messages, again and again: MB/s.</summary>
    public static async Task FetchLargeAsync(BenchOptions o, Results results)
    {
        var clients = o.Clients > 0 ? o.Clients : 1;
        var wires = new List<Wire>();
        var outcome = await LoadLoop.RunAsync(clients, o.DurationSeconds, o.Rate,
            async w =>
            {
                var imap = await ImapClient.ConnectAsync(o.ImapEndPoint).ConfigureAwait(false);
                await imap.LoginAsync(o.Address("large"), o.Password).ConfigureAwait(false);
                await imap.SelectAsync("INBOX").ConfigureAwait(false);
                lock (wires)
                {
                    wires.Add(imap.Wire);
                }
                return imap;
            },
            async (_, state, _) => Check(await ((ImapClient)state!).CommandAsync("FETCH 1:* (BODY.PEEK[])").ConfigureAwait(false), "FETCH"),
            async state => await ((ImapClient)state!).DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        var bytes = wires.Sum(w => w.BodyBytes);
        results.Add("fetch-large", "MB/s", bytes / outcome.Seconds / 1e6);
        outcome.Latency.Report(results, "fetch-large", "FETCH 1:*");
    }

    /// <summary>SEARCH BODY for a rare word, a common one and an absent one over the 20,000-message mailbox.</summary>
    public static async Task SearchAsync(BenchOptions o, Results results)
    {
        string[] words = [MessageGenerator.RareWord, MessageGenerator.CommonWord, MessageGenerator.MissingWord];
        await using var imap = await ImapClient.ConnectAsync(o.ImapEndPoint).ConfigureAwait(false);
        await imap.LoginAsync(o.Address("search"), o.Password).ConfigureAwait(false);
        var exists = await imap.SelectAsync("INBOX").ConfigureAwait(false);
        var latencies = new Latencies();
        var count = 0;
        var start = Stopwatch.GetTimestamp();
        var hits = new int[words.Length];
        do
        {
            var word = words[count % words.Length];
            var t = Stopwatch.GetTimestamp();
            var reply = await imap.CommandAsync("SEARCH BODY " + word, keepUntagged: true).ConfigureAwait(false);
            Check(reply, "SEARCH");
            latencies.Record(t);
            hits[count % words.Length] = reply.Untagged!.Where(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).Sum(l => l.Split(' ').Length - 2);
            count++;
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < o.DurationSeconds || count < words.Length);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.Error.WriteLine($"search: {exists} messages; hits rare={hits[0]} common={hits[1]} missing={hits[2]}");
        results.Add("search", "searches/s", count / elapsed);
        var sorted = Latencies.Merge([latencies]);
        results.Add("search", "search p50 ms", sorted.Percentile(50), lowerIsBetter: true);
        results.Add("search", "search max ms", sorted.Max, lowerIsBetter: true);
        results.Info("search", "mailbox messages", exists);
    }
}
