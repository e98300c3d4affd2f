using System.Buffers;
using System.Text;
using Letterbox.Net;
using Letterbox.Pop3;
using Letterbox.Pop3.Protocol;

namespace Letterbox.Tests.Pop3;

/// <summary>The pure POP3 grammar: command parsing, line framing split at every byte, replies, dot-stuffing.</summary>
public class Pop3GrammarTests
{
    [Theory]
    [InlineData("USER alice@example.org", "User", null, null, "alice@example.org", null)]
    [InlineData("user alice@example.org", "User", null, null, "alice@example.org", null)]
    [InlineData("PASS pass word with spaces", "Pass", null, null, "pass word with spaces", null)]
    [InlineData("AUTH PLAIN AGFsaWNlAHB3", "Auth", null, null, "PLAIN", "AGFsaWNlAHB3")]
    [InlineData("auth login", "Auth", null, null, "LOGIN", null)]
    [InlineData("AUTH PLAIN =", "Auth", null, null, "PLAIN", "=")]
    [InlineData("AUTH", "Auth", null, null, null, null)]
    [InlineData("STLS", "Stls", null, null, null, null)]
    [InlineData("capa", "Capa", null, null, null, null)]
    [InlineData("UTF8", "Utf8", null, null, null, null)]
    [InlineData("STAT", "Stat", null, null, null, null)]
    [InlineData("LIST", "List", null, null, null, null)]
    [InlineData("LIST 2", "List", 2, null, null, null)]
    [InlineData("UIDL", "Uidl", null, null, null, null)]
    [InlineData("uidl 17", "Uidl", 17, null, null, null)]
    [InlineData("RETR 1", "Retr", 1, null, null, null)]
    [InlineData("DELE 3", "Dele", 3, null, null, null)]
    [InlineData("TOP 1 0", "Top", 1, 0, null, null)]
    [InlineData("TOP 12 40", "Top", 12, 40, null, null)]
    [InlineData("NOOP", "Noop", null, null, null, null)]
    [InlineData("RSET", "Rset", null, null, null, null)]
    [InlineData("QUIT", "Quit", null, null, null, null)]
    [InlineData("RETR 0", "Retr", 0, null, null, null)]
    public void Parses(string line, string verb, int? message, int? lines, string? argument, string? initial)
    {
        var result = Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(new Pop3Command(Enum.Parse<Pop3Verb>(verb), message, lines, argument, initial), result.Command);
    }

    [Theory]
    [InlineData("", "empty command")]
    [InlineData("FOO", "unknown command")]
    [InlineData("APOP alice 0123456789abcdef", "unknown command")]
    [InlineData("USER", "USER needs exactly one argument")]
    [InlineData("USER a b", "USER needs exactly one argument")]
    [InlineData("PASS", "PASS needs a password")]
    [InlineData("STAT 1", "STAT takes no arguments")]
    [InlineData("NOOP ", "NOOP takes no arguments")]
    [InlineData("LIST x", "invalid message number")]
    [InlineData("LIST -1", "invalid message number")]
    [InlineData("LIST 1 2", "invalid message number")]
    [InlineData("LIST 1234567890", "invalid message number")]
    [InlineData("RETR", "RETR needs a message number")]
    [InlineData("DELE +1", "invalid message number")]
    [InlineData("TOP 1", "TOP needs a message number and a line count")]
    [InlineData("TOP 1 x", "invalid line count")]
    [InlineData("TOP a 1", "invalid message number")]
    [InlineData("TOP 1 2 3", "TOP needs a message number and a line count")]
    [InlineData("AUTH PLAIN a b", "AUTH needs a mechanism and at most one initial response")]
    [InlineData("AUTH  x", "AUTH needs a mechanism and at most one initial response")]
    public void Refuses(string line, string error)
    {
        var result = Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void Refuses_nul_and_invalid_utf8()
    {
        Assert.False(Pop3CommandParser.Parse("USER a\0b"u8).IsSuccess);
        Assert.False(Pop3CommandParser.Parse([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3]).IsSuccess);
        Assert.Equal("jörg@exämple.org", Pop3CommandParser.Parse(Encoding.UTF8.GetBytes("USER jörg@exämple.org")).Command!.Argument);
    }

    [Fact]
    public void Passwords_never_print()
    {
        Assert.DoesNotContain("hunter2", Pop3CommandParser.Parse("PASS hunter2"u8).Command!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AGFsaWNl", Pop3CommandParser.Parse("AUTH PLAIN AGFsaWNl"u8).Command!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Every command line, fed split at every byte boundary, frames to the same lines; an incomplete line consumes nothing.</summary>
    [Theory]
    [InlineData("USER alice@example.org\r\nPASS secret\r\nSTAT\r\n")]
    [InlineData("LIST\nUIDL 1\r\nTOP 1 5\r\n")]
    [InlineData("\r\nNOOP\r\n")]
    public void Framing_is_the_same_at_every_split(string input)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        var expected = input.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')[..^1];
        for (var split = 0; split <= bytes.Length; split++)
        {
            var framer = new LineFramer(100);
            var lines = new List<string>();
            var pending = new List<byte>();
            foreach (var chunk in new[] { bytes[..split], bytes[split..] })
            {
                pending.AddRange(chunk);
                while (true)
                {
                    var buffer = new ReadOnlySequence<byte>(pending.ToArray());
                    var before = buffer.Length;
                    var status = framer.TryFrame(ref buffer, out var line);
                    if (status == LineStatus.NeedMore)
                    {
                        Assert.Equal(before, buffer.Length);
                        break;
                    }
                    Assert.Equal(LineStatus.Line, status);
                    lines.Add(Encoding.ASCII.GetString(line.ToArray()));
                    pending.RemoveRange(0, (int)(before - buffer.Length));
                }
            }
            Assert.Equal(expected, lines);
            Assert.Empty(pending);
        }
    }

    [Fact]
    public void Framing_across_segments()
    {
        var first = new Segment("US"u8.ToArray());
        var last = first.Append("ER a\r"u8.ToArray()).Append("\nNO"u8.ToArray());
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        var framer = new LineFramer(64);
        Assert.Equal(LineStatus.Line, framer.TryFrame(ref buffer, out var line));
        Assert.Equal("USER a", Encoding.ASCII.GetString(line.ToArray()));
        Assert.Equal("NO", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Fact]
    public void Too_long_lines_are_drained_and_reported_once()
    {
        var framer = new LineFramer(10);
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(new string('x', 50)));
        Assert.Equal(LineStatus.NeedMore, framer.TryFrame(ref buffer, out _));
        Assert.Equal(0, buffer.Length);
        buffer = new ReadOnlySequence<byte>("yyyy\r\nNOOP\r\n"u8.ToArray());
        Assert.Equal(LineStatus.TooLong, framer.TryFrame(ref buffer, out _));
        Assert.Equal(LineStatus.Line, framer.TryFrame(ref buffer, out var line));
        Assert.Equal("NOOP", Encoding.ASCII.GetString(line.ToArray()));

        var exact = new ReadOnlySequence<byte>("0123456789\r\n0123456789A\r\n"u8.ToArray());
        Assert.Equal(LineStatus.Line, framer.TryFrame(ref exact, out _));
        Assert.Equal(LineStatus.TooLong, framer.TryFrame(ref exact, out _));
        Assert.Equal(0, exact.Length);
    }

    [Fact]
    public void Replies()
    {
        var output = new ArrayBufferWriter<byte>();
        Pop3Reply.Ok(output, "2 320");
        Pop3Reply.Err(output, Pop3ResponseCode.InUse, "locked");
        Pop3Reply.Err(output, Pop3ResponseCode.SysTemp, "later\r\nINJECTED");
        Pop3Reply.Err(output, Pop3ResponseCode.LoginDelay, "wait");
        Pop3Reply.Err(output, Pop3ResponseCode.Auth, "no");
        Pop3Reply.Err(output, Pop3ResponseCode.SysPerm, "never");
        Pop3Reply.Challenge(output, "");
        Pop3Reply.Line(output, ".hidden");
        Pop3Reply.End(output);
        Assert.Equal("+OK 2 320\r\n-ERR [IN-USE] locked\r\n-ERR [SYS/TEMP] later  INJECTED\r\n-ERR [LOGIN-DELAY] wait\r\n-ERR [AUTH] no\r\n-ERR [SYS/PERM] never\r\n+ \r\n..hidden\r\n.\r\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
        var longText = new ArrayBufferWriter<byte>();
        Pop3Reply.Ok(longText, new string('a', 2000));
        Assert.Equal(512, longText.WrittenCount);
    }

    public static TheoryData<string, int?, string> StuffingCases => new()
    {
        { "Subject: a\r\n\r\n.dot\r\nline\r\n", null, "Subject: a\r\n\r\n..dot\r\nline\r\n.\r\n" },
        { "Subject: a\n\n.\nbare lf", null, "Subject: a\r\n\r\n..\r\nbare lf\r\n.\r\n" },
        { ".first\r\n\r\n..two\r\n", null, "..first\r\n\r\n...two\r\n.\r\n" },
        { "A: b\r\n\r\nbody\rwith cr\r\n", null, "A: b\r\n\r\nbody\rwith cr\r\n.\r\n" },
        { "A: b\r\nC: d\r\n\r\n1\r\n2\r\n3\r\n", 0, "A: b\r\nC: d\r\n\r\n.\r\n" },
        { "A: b\r\nC: d\r\n\r\n1\r\n.2\r\n3\r\n", 2, "A: b\r\nC: d\r\n\r\n1\r\n..2\r\n.\r\n" },
        { "A: b\r\n\r\n1\r\n", 10, "A: b\r\n\r\n1\r\n.\r\n" },
        { "A: b\r\n", 3, "A: b\r\n.\r\n" },
        { "", null, ".\r\n" },
        { "no line end\r", null, "no line end\r\n.\r\n" },
    };

    /// <summary>Dot-stuffing gives the same output whatever the chunking: every split point, and byte by byte.</summary>
    [Theory]
    [MemberData(nameof(StuffingCases))]
    public void Dot_stuffing_at_every_split(string message, int? lines, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(message);
        for (var split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(expected, Stuff(lines, bytes[..split], bytes[split..]));
        }
        Assert.Equal(expected, Stuff(lines, bytes.Select(b => new[] { b }).ToArray()));
    }

    private static string Stuff(int? lines, params byte[][] chunks)
    {
        var output = new ArrayBufferWriter<byte>();
        var stuffer = new DotStuffer(lines);
        foreach (var chunk in chunks)
        {
            if (!stuffer.Write(chunk, output))
            {
                break;
            }
        }
        stuffer.Complete(output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    /// <summary>Arbitrary bytes never make the parser or framer throw; every line is a command or a reason.</summary>
    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(1939);
        string[] words = ["USER", "PASS", "AUTH", "TOP", "LIST", "RETR", "UIDL", "DELE", " ", "1", "0", "-", "\r", "\n", "\0", "\u00e9", "999999999999"];
        var framer = new LineFramer(64);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = i % 2 == 0
                ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => words[random.Next(words.Length)])))
                : Enumerable.Range(0, random.Next(0, 80)).Select(_ => (byte)random.Next(256)).ToArray();
            var result = Pop3CommandParser.Parse(bytes);
            Assert.True(result.IsSuccess ^ (result.Error.Length > 0));
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (framer.TryFrame(ref buffer, out _) != LineStatus.NeedMore)
            {
            }
        }
    }

    [Fact]
    public void Command_table_states()
    {
        Assert.Equal(Enum.GetValues<Pop3Verb>().Length, CommandTable.AllowedStates.Count);
        foreach (var verb in new[] { Pop3Verb.User, Pop3Verb.Pass, Pop3Verb.Auth, Pop3Verb.Stls, Pop3Verb.Utf8 })
        {
            Assert.True(CommandTable.IsAllowed(verb, Pop3States.Authorization));
            Assert.False(CommandTable.IsAllowed(verb, Pop3States.Transaction));
        }
        foreach (var verb in new[] { Pop3Verb.Stat, Pop3Verb.List, Pop3Verb.Retr, Pop3Verb.Dele, Pop3Verb.Noop, Pop3Verb.Rset, Pop3Verb.Top, Pop3Verb.Uidl })
        {
            Assert.False(CommandTable.IsAllowed(verb, Pop3States.Authorization));
            Assert.True(CommandTable.IsAllowed(verb, Pop3States.Transaction));
        }
        Assert.True(CommandTable.IsAllowed(Pop3Verb.Capa, Pop3States.Authorization) && CommandTable.IsAllowed(Pop3Verb.Capa, Pop3States.Transaction));
        Assert.True(CommandTable.IsAllowed(Pop3Verb.Quit, Pop3States.Authorization) && CommandTable.IsAllowed(Pop3Verb.Quit, Pop3States.Transaction));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
