using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Letterbox.Bench;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Core.Security;
using Letterbox.Imap;
using Letterbox.Net;
using Letterbox.Store;
using Letterbox.Store.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.MicroBench;

/// <summary>
/// Whole commands through a real <see cref="ImapSession"/> and the embedded store, with no socket:
/// pre-built command bytes go into a <see cref="PipeClientConnection"/>, and each benchmark reads the
/// response up to its tagged line. Measures parsing + execution + response building + allocation.
/// INBOX holds 1,000 generated messages (1–8 KB, the five shapes of the load generator).
/// </summary>
[MemoryDiagnoser]
public class SessionCommands
{
    private const int Messages = 1000;
    private static readonly byte[] FetchFlags = Command("FETCH 1:* (UID FLAGS)");
    private static readonly byte[] FetchEnvelope = Command("FETCH 1:100 (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)");
    private static readonly byte[] FetchHeaders = Command("FETCH 1:100 (BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])");
    private static readonly byte[] FetchBodies = Command("FETCH 1:20 (BODY.PEEK[])");
    private static readonly byte[] SearchBody = Command("SEARCH BODY " + MessageGenerator.RareWord);
    private static readonly byte[] SearchFlags = Command("SEARCH UNSEEN NOT DELETED");
    private static readonly byte[] NoopCommand = Command("NOOP");
    private static readonly byte[] Done = "\nZ "u8.ToArray();

    private string _root = "";
    private SqliteAccountDirectory? _directory;
    private EmbeddedMailStore? _store;
    private PipeClientConnection? _connection;
    private Task? _session;
    private CancellationTokenSource? _stop;

    private static byte[] Command(string text) => Encoding.ASCII.GetBytes("Z " + text + "\r\n");

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "letterbox-microbench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        var options = new LetterboxOptions { DataDirectory = _root };
        _directory = await SqliteAccountDirectory.OpenAsync(Path.Combine(_root, "directory.db"), options.Accounts);
        await _directory.AddDomainAsync("example.test");
        var user = await _directory.AddUserAsync(EmailAddress.Parse("bench@example.test"), PasswordHasher.Hash("bench-password-1", new Argon2Parameters(1024, 1, 1)));
        _store = EmbeddedMailStore.Open(_root, _directory);
        await using (var account = await _store.OpenAccountAsync(user))
        {
            var inbox = await account.GetMailboxAsync("INBOX") ?? throw new InvalidOperationException("no INBOX");
            var batch = Enumerable.Range(0, Messages)
                .Select(i => new NewMessage(new MemoryStream(MessageGenerator.Create(i, 1024 + i * 7 % 7168)), [], null))
                .ToList();
            await account.AppendAsync(inbox.Id, batch);
        }
        var server = new ImapServer(new ImapServerOptions
        {
            Store = _store,
            Authenticator = new PasswordAuthenticator(_directory),
            Options = options,
            HostName = "bench.example.test",
            LoggerFactory = NullLoggerFactory.Instance,
        });
        _connection = new PipeClientConnection();
        _stop = new CancellationTokenSource();
        _session = server.HandleAsync(_connection, _stop.Token);
        await ReadUntilAsync("* OK"u8.ToArray(), greeting: true);
        await RoundTripAsync(Command("LOGIN bench@example.test bench-password-1"));
        await RoundTripAsync(Command("SELECT INBOX"));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _stop!.CancelAsync();
        await _connection!.ClientOutput.CompleteAsync();
        try
        {
            await _session!;
        }
        catch (OperationCanceledException)
        {
        }
        await _connection.DisposeAsync();
        await _store!.DisposeAsync();
        await _directory!.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    public Task<long> FetchFlagsAll() => RoundTripAsync(FetchFlags);

    [Benchmark]
    public Task<long> FetchEnvelopeBodyStructure100() => RoundTripAsync(FetchEnvelope);

    [Benchmark]
    public Task<long> FetchHeaderFields100() => RoundTripAsync(FetchHeaders);

    [Benchmark]
    public Task<long> FetchBodies20() => RoundTripAsync(FetchBodies);

    [Benchmark]
    public Task<long> SearchBodyWord() => RoundTripAsync(SearchBody);

    [Benchmark]
    public Task<long> SearchUnseen() => RoundTripAsync(SearchFlags);

    [Benchmark]
    public Task<long> Noop() => RoundTripAsync(NoopCommand);

    private async Task<long> RoundTripAsync(byte[] command)
    {
        await _connection!.ClientOutput.WriteAsync(command);
        return await ReadUntilAsync(Done, greeting: false);
    }

    /// <summary>Reads responses until a complete line that starts with the tag "Z " (or the greeting); returns the bytes read.</summary>
    private async Task<long> ReadUntilAsync(byte[] marker, bool greeting)
    {
        var input = _connection!.ClientInput;
        long total = 0;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            if (IsComplete(buffer, marker, greeting))
            {
                total += buffer.Length;
                var tagged = TaggedLine(buffer, greeting);
                input.AdvanceTo(buffer.End);
                if (!greeting && !tagged.StartsWith("Z OK", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("command failed: " + tagged);
                }
                return total;
            }
            if (result.IsCompleted)
            {
                throw new InvalidOperationException("the session ended");
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool IsComplete(ReadOnlySequence<byte> buffer, byte[] marker, bool greeting)
    {
        if (buffer.Length < 2 || !EndsWithCrlf(buffer))
        {
            return false;
        }
        if (greeting)
        {
            return true;
        }
        if (buffer.FirstSpan.StartsWith("Z "u8))
        {
            return true;
        }
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, marker, advancePastDelimiter: false);
    }

    private static bool EndsWithCrlf(ReadOnlySequence<byte> buffer)
    {
        Span<byte> tail = stackalloc byte[2];
        buffer.Slice(buffer.Length - 2).CopyTo(tail);
        return tail[0] == '\r' && tail[1] == '\n';
    }

    private static string TaggedLine(ReadOnlySequence<byte> buffer, bool greeting)
    {
        var length = (int)Math.Min(buffer.Length, 4096);
        var tail = buffer.Slice(buffer.Length - length).ToArray();
        var text = Encoding.ASCII.GetString(tail).TrimEnd('\r', '\n');
        return greeting ? text : text[(text.LastIndexOf('\n') + 1)..];
    }
}
