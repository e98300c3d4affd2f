using System.Buffers;
using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class CommandFramerTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("a NOOP\r\n", "a NOOP", false, 0L, false, false)]
    [InlineData("a NOOP\n", "a NOOP", false, 0L, false, false)]
    [InlineData("a LOGIN {5}\r\n", "a LOGIN {5}", true, 5L, true, false)]
    [InlineData("a LOGIN {5+}\r\n", "a LOGIN {5+}", true, 5L, false, false)]
    [InlineData("a APPEND x ~{12}\r\n", "a APPEND x ~{12}", true, 12L, true, true)]
    [InlineData("a APPEND x {0009223372036854775807}\r\n", "a APPEND x {0009223372036854775807}", true, long.MaxValue, true, false)]
    [InlineData("a LOGIN x}\r\n", "a LOGIN x}", false, 0L, false, false)]
    [InlineData("a LOGIN {}\r\n", "a LOGIN {}", false, 0L, false, false)]
    [InlineData("\r\n", "", false, 0L, false, false)]
    public void Reads_a_line_split_at_every_byte(string input, string expectedLine, bool present, long length, bool sync, bool binary)
    {
        var bytes = B(input + "rest");
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var buffer = Segment.Split(bytes, cut);
            var status = CommandFramer.TryReadLine(ref buffer, 100, out var line, out var literal);
            Assert.Equal(FrameStatus.Complete, status);
            Assert.Equal(expectedLine, Encoding.UTF8.GetString(line.ToArray()));
            Assert.Equal(new LiteralHeader(present, length, present && sync, binary), literal);
            Assert.Equal("rest", Encoding.UTF8.GetString(buffer.ToArray()));

            // Every strict prefix without the LF needs more data and consumes nothing.
            var prefix = Segment.Split(bytes[..(input.Length - 1)], cut);
            var before = prefix;
            Assert.Equal(FrameStatus.NeedMoreData, CommandFramer.TryReadLine(ref prefix, 100, out _, out _));
            Assert.Equal(before.Start, prefix.Start);
            Assert.Equal(before.Length, prefix.Length);
        }
    }

    [Theory]
    [InlineData("a APPEND x {9223372036854775808}\r\n")]
    [InlineData("a APPEND x {99999999999999999999999999999999999}\r\n")]
    public void Overflowing_literal_length_is_a_status(string input)
    {
        var bytes = B(input);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var buffer = Segment.Split(bytes, cut);
            Assert.Equal(FrameStatus.InvalidLiteral, CommandFramer.TryReadLine(ref buffer, 200, out _, out _));
            Assert.Equal(0, buffer.Length);
        }
    }

    [Fact]
    public void Line_longer_than_the_limit_is_reported_then_drained()
    {
        var bytes = B("a NOOP " + new string('x', 50) + "\r\nb NOOP\r\n");
        var buffer = Segment.Split(bytes, 10, 30);
        Assert.Equal(FrameStatus.LineTooLong, CommandFramer.TryReadLine(ref buffer, 20, out _, out _));
        Assert.Equal(bytes.Length, buffer.Length);
        Assert.True(CommandFramer.TrySkipLine(ref buffer));
        Assert.Equal(FrameStatus.Complete, CommandFramer.TryReadLine(ref buffer, 20, out var line, out _));
        Assert.Equal("b NOOP", Encoding.ASCII.GetString(line.ToArray()));

        // Without a line ending yet: too long as soon as more than the limit (plus a CR) has arrived.
        var flood = new ReadOnlySequence<byte>(new byte[22]);
        Assert.Equal(FrameStatus.LineTooLong, CommandFramer.TryReadLine(ref flood, 20, out _, out _));
        var almost = new ReadOnlySequence<byte>(B(new string('x', 20) + "\r"));
        Assert.Equal(FrameStatus.NeedMoreData, CommandFramer.TryReadLine(ref almost, 20, out _, out _));
        Assert.False(CommandFramer.TrySkipLine(ref flood));
        Assert.Equal(0, flood.Length);
    }

    [Fact]
    public void Literal_is_taken_only_when_complete()
    {
        var buffer = new ReadOnlySequence<byte>(B("hello world"));
        Assert.False(CommandFramer.TryReadLiteral(ref buffer, 12, out _));
        Assert.Equal(11, buffer.Length);
        Assert.True(CommandFramer.TryReadLiteral(ref buffer, 5, out var octets));
        Assert.Equal("hello", Encoding.ASCII.GetString(octets.ToArray()));
        Assert.Equal(" world", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData("a1 FETCH 1 (FLAGS)", true, "a1", CommandName.Fetch, false)]
    [InlineData("A2 uid fetch 1:* FLAGS", true, "A2", CommandName.Fetch, true)]
    [InlineData("t APPEND INBOX {5}", true, "t", CommandName.Append, false)]
    [InlineData("t UID APPEND INBOX {5}", true, "t", null, true)]
    [InlineData("t FROB", true, "t", null, false)]
    [InlineData("t", true, "t", null, false)]
    [InlineData("a+b NOOP", false, "*", null, false)]
    [InlineData("* NOOP", false, "*", null, false)]
    [InlineData(" NOOP", false, "*", null, false)]
    [InlineData("a\"b NOOP", false, "*", null, false)]
    [InlineData("x] CAPABILITY", true, "x]", CommandName.Capability, false)]
    public void Peek_reads_tag_and_command(string line, bool ok, string tag, CommandName? name, bool uid)
    {
        Assert.Equal(ok, CommandPeek.TryRead(Encoding.ASCII.GetBytes(line), out var t, out var n, out var u));
        Assert.Equal(tag, t);
        Assert.Equal(name, n);
        Assert.Equal(uid, u);
    }

    [Fact]
    public void Peek_over_a_multi_segment_line()
    {
        var bytes = Encoding.ASCII.GetBytes("tag42 uid STORE 1 +FLAGS (\\Seen)");
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.True(CommandPeek.TryRead(Segment.Split(bytes, cut), 64, out var tag, out var name, out var uid));
            Assert.Equal("tag42", tag);
            Assert.Equal(CommandName.Store, name);
            Assert.True(uid);
        }
    }

    [Fact]
    public void Peek_rejects_an_overlong_tag()
    {
        var line = Encoding.ASCII.GetBytes(new string('t', 65) + " NOOP");
        Assert.False(CommandPeek.TryRead(line, out var tag, out _, out _));
        Assert.Equal("*", tag);
        Assert.True(CommandPeek.TryRead(line.AsSpan(1), out tag, out var name, out _));
        Assert.Equal(64, tag.Length);
        Assert.Equal(CommandName.Noop, name);
    }
}
