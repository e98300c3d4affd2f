using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class BadCommandTests
{
    /// <summary>Wire input, the tag expected in the BAD, and a fragment its text must contain.</summary>
    public static TheoryData<string, string, string> Bad => new()
    {
        { "a\r\n", "a", "Missing command" },
        { "a \r\n", "a", "command name" },
        { "\r\n", "*", "Empty command" },
        { "+a NOOP\r\n", "*", "Invalid tag" },
        { "a\"b NOOP\r\n", "*", "Invalid tag" },
        { "a FROB\r\n", "a", "Unknown command FROB" },
        { "a UID LOGIN x y\r\n", "a", "UID LOGIN is not a command" },
        { "a NOOP extra\r\n", "a", "end of the command" },
        { "a NOOP  \r\n", "a", "end of the command" },
        { "a LOGIN\r\n", "a", "Expected a space" },
        { "a LOGIN joe\r\n", "a", "Expected a space" },
        { "a LOGIN joe \r\n", "a", "Expected a password" },
        { "a LOGIN  joe x\r\n", "a", "Expected a user name" },
        { "a LOGIN \"joe x\r\n", "a", "Unterminated quoted string" },
        { "a LOGIN \"jo\\e\" x\r\n", "a", "Invalid escape" },
        { "a LOGIN jöe x\r\n", "a", "8-bit" },
        { "a SELECT Entwürfe\r\n", "a", "8-bit" },
        { "a LOGIN {3}x\r\n", "a", "Invalid literal marker" },
        { "a LOGIN ~{1}\r\nx y\r\n", "a", "literal8" },
        { "a AUTHENTICATE\r\n", "a", "Expected a space" },
        { "a AUTHENTICATE PLAIN AGZvbwBiYXI\r\n", "a", "Invalid base64" },
        { "a AUTHENTICATE PLAIN a=b=\r\n", "a", "Invalid base64" },
        { "a ENABLE\r\n", "a", "Expected a space" },
        { "a SELECT\r\n", "a", "Expected a space" },
        { "a SELECT INBOX (CONDSTORE\r\n", "a", "Expected ')'" },
        { "a CREATE x (FOO bar)\r\n", "a", "Unknown CREATE parameter" },
        { "a CREATE x (USE (Sent))\r\n", "a", "Expected '\\'" },
        { "a RENAME x\r\n", "a", "Expected a space" },
        { "a LIST \"\"\r\n", "a", "Expected a space" },
        { "a LIST (RECURSIVEMATCH) \"\" *\r\n", "a", "RECURSIVEMATCH requires" },
        { "a LIST (FOO) \"\" *\r\n", "a", "Unknown LIST selection option FOO" },
        { "a LIST \"\" * RETURN (BAR)\r\n", "a", "Unknown LIST return option BAR" },
        { "a LIST \"\" * EXTRA\r\n", "a", "Expected RETURN" },
        { "a STATUS INBOX ()\r\n", "a", "Expected a STATUS item" },
        { "a STATUS INBOX (MESSAGES FOO)\r\n", "a", "Unknown STATUS item FOO" },
        { "a STATUS INBOX MESSAGES\r\n", "a", "Expected '('" },
        { "a APPEND INBOX\r\n", "a", "Expected a space" },
        { "a APPEND INBOX hello\r\n", "a", "the message as a literal" },
        { "a APPEND INBOX \"hello\"\r\n", "a", "Invalid date-time" },
        { "a APPEND INBOX \"32-Jan-2024 00:00:00 +0000\" {1}\r\nx\r\n", "a", "Invalid date-time" },
        { "a APPEND INBOX \"01-Foo-2024 00:00:00 +0000\" {1}\r\nx\r\n", "a", "Invalid date-time" },
        { "a APPEND INBOX \"01-Jan-2024 24:00:00 +0000\" {1}\r\nx\r\n", "a", "Invalid date-time" },
        { "a APPEND INBOX \"01-Jan-2024 00:00:00 +2000\" {1}\r\nx\r\n", "a", "Invalid date-time" },
        { "a APPEND INBOX (\\Recent) {1}\r\nx\r\n", "a", "\\Recent cannot be set" },
        { "a APPEND INBOX {1}\r\nx extra\r\n", "a", "the message as a literal" },
        { "a FETCH 0 FLAGS\r\n", "a", "0 is not a valid message number" },
        { "a FETCH 1: FLAGS\r\n", "a", "Invalid sequence set" },
        { "a FETCH :1 FLAGS\r\n", "a", "Invalid sequence set" },
        { "a FETCH 1,,2 FLAGS\r\n", "a", "Invalid sequence set" },
        { "a FETCH 4294967296 FLAGS\r\n", "a", "larger than 4294967295" },
        { "a FETCH 1:0 FLAGS\r\n", "a", "0 is not a valid message number" },
        { "a FETCH 1\r\n", "a", "Expected a space" },
        { "a FETCH 1 (FLAGS\r\n", "a", "Expected ')'" },
        { "a FETCH 1 (FOO)\r\n", "a", "Unknown FETCH item FOO" },
        { "a FETCH 1 (ALL)\r\n", "a", "Unknown FETCH item ALL" },
        { "a FETCH 1 BODY[1.0]\r\n", "a", "part number must not be 0" },
        { "a FETCH 1 BODY[MIME]\r\n", "a", "Invalid section specifier" },
        { "a FETCH 1 BODY[HEADER.FIELDS]\r\n", "a", "Expected a space" },
        { "a FETCH 1 BODY[HEADER.FIELDS ()]\r\n", "a", "Expected a header field name" },
        { "a FETCH 1 BODY[TEXT\r\n", "a", "Expected ']'" },
        { "a FETCH 1 BODY[]<0>\r\n", "a", "Expected '.'" },
        { "a FETCH 1 BODY[]<0.0>\r\n", "a", "must not be 0" },
        { "a FETCH 1 BINARY[TEXT]\r\n", "a", "Expected a part number" },
        { "a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n", "a", "CHANGEDSINCE must be greater than 0" },
        { "a FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)\r\n", "a", "VANISHED requires UID FETCH" },
        { "a FETCH 1 FLAGS (FOO)\r\n", "a", "Unknown FETCH modifier" },
        { "a STORE 1 FLAGS\r\n", "a", "Expected a space" },
        { "a STORE 1 LABELS (x)\r\n", "a", "Expected FLAGS" },
        { "a STORE 1 +FLAGS (\\Recent)\r\n", "a", "\\Recent cannot be set" },
        { "a STORE 1 (FOO 1) FLAGS x\r\n", "a", "Unknown STORE modifier" },
        { "a COPY 1\r\n", "a", "Expected a space" },
        { "a UID EXPUNGE\r\n", "a", "Expected a space" },
        { "a EXPUNGE 1\r\n", "a", "end of the command" },
        { "a SEARCH\r\n", "a", "Expected a space" },
        { "a SEARCH FOO\r\n", "a", "Unknown search key FOO" },
        { "a SEARCH ()\r\n", "a", "Expected a search key" },
        { "a SEARCH (SEEN\r\n", "a", "Expected ')'" },
        { "a SEARCH OR SEEN\r\n", "a", "Expected a space" },
        { "a SEARCH BEFORE 2024-01-01\r\n", "a", "Invalid date" },
        { "a SEARCH BEFORE 30-Feb-2024\r\n", "a", "no such day" },
        { "a SEARCH SINCE 1-Jan-24\r\n", "a", "Invalid date" },
        { "a SEARCH ON \"1-Jan-2024\r\n", "a", "Invalid date" },
        { "a SEARCH LARGER x\r\n", "a", "Expected a size" },
        { "a SEARCH OLDER 0\r\n", "a", "must not be 0" },
        { "a SEARCH RETURN (FOO) ALL\r\n", "a", "Unknown SEARCH return option FOO" },
        { "a SEARCH 0\r\n", "a", "0 is not a valid message number" },
        { "a ID\r\n", "a", "Expected a space" },
        { "a ID (\"name\")\r\n", "a", "Expected a space" },
        { "a ID name\r\n", "a", "Expected '('" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_input_is_a_tagged_BAD_with_a_reason(string wire, string tag, string fragment)
    {
        var assembler = new CommandAssembler();
        var bytes = Encoding.UTF8.GetBytes(wire);
        Assert.Equal(bytes.Length, assembler.Feed(new(bytes)));
        var result = Assert.Single(assembler.Results);
        Assert.False(result.Success, AstText.Of(result));
        Assert.True(result.IsBad);
        Assert.Equal(tag, result.Tag);
        Assert.Contains(fragment, result.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void Latin1_in_a_quoted_string_is_refused()
    {
        byte[] line = [.. "a SELECT \"Entw"u8, 0xFC, .. "rfe\""u8];
        var result = CommandParser.Parse(new CommandInput(line));
        Assert.True(result.IsBad);
        Assert.Contains("Invalid UTF-8 in quoted string", result.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_charset_is_NO_with_BADCHARSET()
    {
        var result = CommandParser.Parse(new CommandInput("a SEARCH CHARSET KOI8-R TEXT x"u8), ParserLimits.Default);
        Assert.False(result.Success);
        Assert.False(result.IsBad);
        Assert.Equal("a", result.Tag);
        Assert.StartsWith("[BADCHARSET (UTF-8 US-ASCII)]", result.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_length_limit()
    {
        var limits = ParserLimits.Default;
        var ok = CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(new string('t', limits.MaxTagLength) + " NOOP")), limits);
        Assert.True(ok.Success);
        var bad = CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(new string('t', limits.MaxTagLength + 1) + " NOOP")), limits);
        Assert.True(bad.IsBad);
        Assert.Equal("*", bad.Tag);
        Assert.Contains("Tag longer than 64", bad.ErrorText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a SEARCH (((((SEEN)))))", "a SEARCH ((((((SEEN))))))")]
    [InlineData("a SEARCH NOT NOT NOT NOT NOT SEEN", "a SEARCH NOT NOT NOT NOT NOT NOT SEEN")]
    [InlineData("a SEARCH OR OR OR OR OR SEEN 1 2 3 4 5 6", "a SEARCH OR OR OR OR OR OR SEEN 1 2 3 4 5 6 7")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS (a)]", "a FETCH 1 (BODY[HEADER.FIELDS (a)])")]
    public void Nesting_limit(string deepest, string tooDeep)
    {
        var limits = ParserLimits.Default with { MaxDepth = tooDeep.StartsWith("a FETCH", StringComparison.Ordinal) ? 1 : 5 };
        Assert.True(CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(deepest)), limits).Success);
        var bad = CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(tooDeep)), limits);
        Assert.True(bad.IsBad);
        Assert.Contains($"nested deeper than {limits.MaxDepth}", bad.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_nesting_limit_stops_a_deep_search_without_stack_overflow()
    {
        var deep = "a SEARCH " + new string('(', 100_000) + "SEEN" + new string(')', 100_000);
        var bad = CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(deep)), ParserLimits.Default);
        Assert.True(bad.IsBad);
        var nots = "a SEARCH " + string.Concat(Enumerable.Repeat("NOT ", 100_000)) + "SEEN";
        Assert.True(CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(nots)), ParserLimits.Default).IsBad);
    }

    [Theory]
    [InlineData("a FETCH 1,2,3,4 FLAGS", "a FETCH 1,2,3,4,5 FLAGS", "sequence set ranges")]
    [InlineData("a FETCH 1 (UID FLAGS ENVELOPE RFC822.SIZE)", "a FETCH 1 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)", "FETCH items")]
    [InlineData("a SEARCH SEEN SEEN SEEN SEEN", "a SEARCH SEEN SEEN SEEN SEEN SEEN", "search keys")]
    [InlineData("a STORE 1 FLAGS a b c d", "a STORE 1 FLAGS a b c d e", "flags")]
    [InlineData("a LIST \"\" (a b c d)", "a LIST \"\" (a b c d e)", "LIST patterns")]
    [InlineData("a ID (\"1\" NIL \"2\" NIL \"3\" NIL \"4\" NIL)", "a ID (\"1\" NIL \"2\" NIL \"3\" NIL \"4\" NIL \"5\" NIL)", "ID fields")]
    public void Item_limit(string atLimit, string overLimit, string what)
    {
        var limits = ParserLimits.Default with { MaxItems = 4 };
        Assert.True(CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(atLimit)), limits).Success);
        var bad = CommandParser.Parse(new CommandInput(Encoding.ASCII.GetBytes(overLimit)), limits);
        Assert.True(bad.IsBad);
        Assert.Contains($"Too many {what}", bad.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void String_literal_limit_applies_to_strings_but_not_to_append()
    {
        var limits = ParserLimits.Default with { MaxStringLiteral = 4 };
        var login = new CommandInput("a LOGIN {5}"u8);
        login.AddLiteral(ImapLiteral.FromBytes("12345"u8.ToArray()));
        login.AddLine(" x"u8);
        var bad = CommandParser.Parse(login, limits);
        Assert.True(bad.IsBad);
        Assert.Contains("longer than 4", bad.ErrorText, StringComparison.Ordinal);

        var append = new CommandInput("a APPEND INBOX {5}"u8);
        append.AddLiteral(ImapLiteral.FromBytes("12345"u8.ToArray()));
        append.AddLine(""u8);
        Assert.True(CommandParser.Parse(append, limits).Success);
    }

    [Fact]
    public void Literal_length_must_match_its_marker_and_be_present()
    {
        var mismatch = new CommandInput("a LOGIN {5}"u8);
        mismatch.AddLiteral(ImapLiteral.FromBytes("1234"u8.ToArray()));
        mismatch.AddLine(" x"u8);
        Assert.Contains("does not match", CommandParser.Parse(mismatch).ErrorText, StringComparison.Ordinal);

        var missing = CommandParser.Parse(new CommandInput("a LOGIN {5}"u8));
        Assert.Contains("missing", missing.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public void Spooled_append_literal_belongs_to_the_command_and_others_are_disposed()
    {
        var spooled = new TrackingLiteral("hello"u8.ToArray());
        var input = new CommandInput("a APPEND INBOX {5}"u8);
        input.AddLiteral(ImapLiteral.FromMessage(spooled));
        input.AddLine(""u8);
        var result = CommandParser.Parse(input);
        input.Dispose();
        Assert.False(spooled.Disposed);
        var append = Assert.IsType<AppendCommand>(result.Command);
        Assert.Same(spooled, append.Messages[0].Content);

        var unused = new TrackingLiteral("hello"u8.ToArray());
        var failed = new CommandInput("a APPEND INBOX {5}"u8);
        failed.AddLiteral(ImapLiteral.FromMessage(unused));
        failed.AddLine(" junk"u8);
        Assert.False(CommandParser.Parse(failed).Success);
        failed.Dispose();
        Assert.True(unused.Disposed);
    }

    [Fact]
    public void Spooled_literal_is_read_when_used_as_a_string()
    {
        var input = new CommandInput("a LOGIN {3}"u8);
        input.AddLiteral(ImapLiteral.FromMessage(new TrackingLiteral("joe"u8.ToArray())));
        input.AddLine(" pw"u8);
        Assert.Equal("a LOGIN joe|pw", AstText.Of(CommandParser.Parse(input)));
    }

    private sealed class TrackingLiteral(byte[] content) : MessageLiteral
    {
        public bool Disposed { get; private set; }

        public override long Length => content.Length;

        public override Stream OpenRead() => new MemoryStream(content, writable: false);

        public override void Dispose() => Disposed = true;
    }
}
