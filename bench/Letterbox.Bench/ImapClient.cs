using System.Globalization;
using System.Net;

namespace Letterbox.Bench;

/// <summary>A tagged IMAP reply: the status word and the untagged lines the caller asked to keep.</summary>
internal readonly record struct ImapReply(string Status, string Text, List<string>? Untagged)
{
    public bool Ok => Status == "OK";
}

/// <summary>
/// The least IMAP client that can drive a server hard: sends tagged commands, skips literals in
/// responses by count (FETCH BODY[] is never copied), keeps untagged lines only when asked.
/// </summary>
internal sealed class ImapClient : IAsyncDisposable
{
    private readonly Wire _wire;
    private int _tag;

    private ImapClient(Wire wire) => _wire = wire;

    public Wire Wire => _wire;

    public static async Task<ImapClient> ConnectAsync(IPEndPoint endPoint, CancellationToken ct = default, int bufferSize = 65536)
    {
        var wire = await Wire.ConnectAsync(endPoint, ct, bufferSize).ConfigureAwait(false);
        var greeting = await wire.ReadLineAsync(ct).ConfigureAwait(false);
        if (!greeting.StartsWith("* OK", StringComparison.Ordinal))
        {
            await wire.DisposeAsync().ConfigureAwait(false);
            throw new IOException("IMAP greeting: " + greeting);
        }
        return new ImapClient(wire);
    }

    private string NextTag() => "a" + (++_tag).ToString(CultureInfo.InvariantCulture);

    /// <summary>BENCH_TRACE=1: every command's time on standard error (for finding where a session spends it).</summary>
    private static readonly bool Trace = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1";

    public async Task<ImapReply> CommandAsync(string command, bool keepUntagged = false, CancellationToken ct = default)
    {
        var tag = NextTag();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await _wire.SendAsync(tag + " " + command + "\r\n").ConfigureAwait(false);
        var reply = await ReadReplyAsync(tag, keepUntagged, ct).ConfigureAwait(false);
        if (Trace)
        {
            var verb = command.StartsWith("LOGIN", StringComparison.Ordinal) ? "LOGIN" : command.Length > 40 ? command[..40] : command;
            Console.Error.WriteLine($"trace {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds,8:0.0} ms  {verb}");
        }
        return reply;
    }

    /// <summary>APPEND with a LITERAL+ literal (RFC 7888): one write, no continuation round trip.</summary>
    public async Task<ImapReply> AppendAsync(string mailbox, ReadOnlyMemory<byte> message, string flags = "", CancellationToken ct = default)
    {
        var tag = NextTag();
        var flagPart = flags.Length > 0 ? " (" + flags + ")" : "";
        _wire.Buffer($"{tag} APPEND {mailbox}{flagPart} {{{message.Length}+}}\r\n");
        _wire.Buffer(message.Span);
        _wire.Buffer("\r\n"u8);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await _wire.FlushAsync().ConfigureAwait(false);
        var reply = await ReadReplyAsync(tag, keepUntagged: false, ct).ConfigureAwait(false);
        if (Trace)
        {
            Console.Error.WriteLine($"trace {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds,8:0.0} ms  APPEND {message.Length}");
        }
        return reply;
    }

    public async Task LoginAsync(string user, string password, CancellationToken ct = default)
    {
        var reply = await CommandAsync($"LOGIN \"{user}\" \"{password}\"", ct: ct).ConfigureAwait(false);
        if (!reply.Ok)
        {
            throw new IOException($"LOGIN {user}: {reply.Status} {reply.Text}");
        }
    }

    /// <summary>SELECT; returns the EXISTS count.</summary>
    public async Task<int> SelectAsync(string mailbox, CancellationToken ct = default)
    {
        var reply = await CommandAsync("SELECT " + mailbox, keepUntagged: true, ct).ConfigureAwait(false);
        if (!reply.Ok)
        {
            throw new IOException($"SELECT {mailbox}: {reply.Status} {reply.Text}");
        }
        foreach (var line in reply.Untagged!)
        {
            if (line.EndsWith(" EXISTS", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(2, line.Length - 2 - " EXISTS".Length), CultureInfo.InvariantCulture);
            }
        }
        throw new IOException("SELECT without EXISTS");
    }

    /// <summary>Reads lines up to the tagged reply, skipping every literal by its count.</summary>
    public async Task<ImapReply> ReadReplyAsync(string tag, bool keepUntagged, CancellationToken ct = default)
    {
        var untagged = keepUntagged ? new List<string>() : null;
        while (true)
        {
            var line = await _wire.ReadLineAsync(ct).ConfigureAwait(false);
            // A line may end in several literals ("... BODY[] {123}" then more after it).
            while (TryLiteralLength(line, out var length))
            {
                await _wire.SkipAsync(length, ct).ConfigureAwait(false);
                line = await _wire.ReadLineAsync(ct).ConfigureAwait(false);
            }
            if (line.StartsWith(tag, StringComparison.Ordinal) && line.Length > tag.Length && line[tag.Length] == ' ')
            {
                var rest = line[(tag.Length + 1)..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                return space < 0 ? new ImapReply(rest, "", untagged) : new ImapReply(rest[..space], rest[(space + 1)..], untagged);
            }
            untagged?.Add(line);
        }
    }

    public Task<string> ReadLineAsync(CancellationToken ct = default) => _wire.ReadLineAsync(ct).AsTask();

    public async Task<string> StartIdleAsync(CancellationToken ct = default)
    {
        var tag = NextTag();
        await _wire.SendAsync(tag + " IDLE\r\n").ConfigureAwait(false);
        while (true)
        {
            var line = await _wire.ReadLineAsync(ct).ConfigureAwait(false);
            if (line.StartsWith('+'))
            {
                return tag;
            }
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                throw new IOException("IDLE refused: " + line);
            }
        }
    }

    internal static bool TryLiteralLength(string line, out long length)
    {
        length = 0;
        if (line.Length < 3 || line[^1] != '}')
        {
            return false;
        }
        var open = line.LastIndexOf('{');
        if (open < 0)
        {
            return false;
        }
        var digits = line.AsSpan(open + 1, line.Length - open - 2);
        if (digits.Length > 0 && digits[^1] == '+')
        {
            digits = digits[..^1];
        }
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out length);
    }

    public async ValueTask DisposeAsync() => await _wire.DisposeAsync().ConfigureAwait(false);
}
