using System.Text;
using BenchmarkDotNet.Attributes;
using Letterbox.Imap.Protocol;

namespace Letterbox.MicroBench;

/// <summary>The IMAP command parser alone: pre-built command lines to ASTs (no session, no store).</summary>
[MemoryDiagnoser]
public class CommandParsing
{
    private static readonly byte[] FetchLine = Encoding.ASCII.GetBytes("a12 UID FETCH 1:500,600,700:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)] BODYSTRUCTURE)");
    private static readonly byte[] SearchLine = Encoding.ASCII.GetBytes("a13 UID SEARCH OR (FROM \"alice@example.org\" SINCE 1-Jan-2026) (UNSEEN NOT DELETED LARGER 10000) BODY \"quarterly report\"");
    private static readonly byte[] StoreLine = Encoding.ASCII.GetBytes("a14 UID STORE 1:100 +FLAGS.SILENT (\\Seen \\Flagged $Important)");
    private static readonly byte[] NoopLine = Encoding.ASCII.GetBytes("a15 NOOP");

    [Benchmark]
    public ImapCommand? Fetch() => Parse(FetchLine);

    [Benchmark]
    public ImapCommand? Search() => Parse(SearchLine);

    [Benchmark]
    public ImapCommand? Store() => Parse(StoreLine);

    [Benchmark]
    public ImapCommand? Noop() => Parse(NoopLine);

    private static ImapCommand? Parse(byte[] line)
    {
        using var input = new CommandInput(line);
        var result = CommandParser.Parse(input);
        return result.Command ?? throw new InvalidOperationException("did not parse: " + result.ErrorText);
    }
}
