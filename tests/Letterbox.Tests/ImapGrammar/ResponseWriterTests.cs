using System.Buffers;
using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class ResponseWriterTests
{
    private static string Write(Action<ResponseWriter> write, bool utf8 = false)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new ResponseWriter(output, utf8));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData("hello", false, "\"hello\"")]
    [InlineData("", false, "\"\"")]
    [InlineData("a \"b\" \\c", false, "\"a \\\"b\\\" \\\\c\"")]
    [InlineData("line\r\nbreak", false, "{11}\r\nline\r\nbreak")]
    [InlineData("Grüße", false, "{7}\r\nGrüße")]
    [InlineData("Grüße", true, "\"Grüße\"")]
    [InlineData("nul\0", true, "{4}\r\nnul\0")]
    public void Strings_are_quoted_when_safe(string value, bool utf8, string expected)
        => Assert.Equal(expected, Write(w => w.WriteString(value), utf8));

    [Fact]
    public void Long_strings_become_literals()
    {
        var value = new string('a', ResponseWriter.MaxQuotedLength + 1);
        Assert.Equal($"{{{value.Length}}}\r\n{value}", Write(w => w.WriteString(value)));
        var fits = new string('a', ResponseWriter.MaxQuotedLength);
        Assert.Equal($"\"{fits}\"", Write(w => w.WriteString(fits)));
    }

    [Theory]
    [InlineData("INBOX", "INBOX")]
    [InlineData("Sent]", "Sent]")]
    [InlineData("NIL", "\"NIL\"")]
    [InlineData("nil", "\"nil\"")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a*", "\"a*\"")]
    [InlineData("a{1}", "\"a{1}\"")]
    public void AStrings_are_atoms_when_possible(string value, string expected)
        => Assert.Equal(expected, Write(w => w.WriteAString(value)));

    [Theory]
    [InlineData("Entwürfe", false, "Entw&APw-rfe")]
    [InlineData("Entwürfe", true, "\"Entwürfe\"")]
    [InlineData("A&B", false, "A&-B")]
    [InlineData("Mes Dossiers", false, "\"Mes Dossiers\"")]
    public void Mailbox_names_follow_the_utf8_flag(string name, bool utf8, string expected)
        => Assert.Equal(expected, Write(w => w.WriteMailboxName(name), utf8));

    [Fact]
    public void Numbers_nil_flags_literals_and_lines()
    {
        Assert.Equal("4294967295 18446744073709551615 -1 7 NIL \"x\" NIL",
            Write(w =>
            {
                w.WriteNumber(uint.MaxValue); w.WriteSpace();
                w.WriteNumber(ulong.MaxValue); w.WriteSpace();
                w.WriteNumber(-1L); w.WriteSpace();
                w.WriteNumber(7); w.WriteSpace();
                w.WriteNil(); w.WriteSpace();
                w.WriteNString("x"); w.WriteSpace();
                w.WriteNString(null);
            }));
        Assert.Equal("(\\Seen $Forwarded)", Write(w => w.WriteFlagList(["\\Seen", "$Forwarded"])));
        Assert.Equal("()", Write(w => w.WriteFlagList([])));
        Assert.Equal("{3}\r\n~{3}\r\nabc", Write(w => { w.WriteLiteralHeader(3); w.WriteLiteral("abc"u8, binary: true); }));
        Assert.Equal("* OK done\r\n", Write(w => { w.WriteRaw("* OK "u8); w.WriteAtom("done"); w.WriteCrlf(); }));
        Assert.Equal("\"x\\\"\"", Write(w => w.WriteQuoted("x\"")));
    }

    [Theory]
    [InlineData(2024, 1, 9, 8, 5, 3, 0, "\"09-Jan-2024 08:05:03 +0000\"")]
    [InlineData(1999, 12, 31, 23, 59, 59, -330, "\"31-Dec-1999 23:59:59 -0530\"")]
    [InlineData(2026, 7, 14, 0, 0, 0, 120, "\"14-Jul-2026 00:00:00 +0200\"")]
    public void Date_times_use_rfc9051_syntax(int y, int mo, int d, int h, int mi, int s, int offsetMinutes, string expected)
    {
        var value = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromMinutes(offsetMinutes));
        Assert.Equal(expected, Write(w => w.WriteDateTime(value)));
    }

    [Theory]
    [InlineData(new uint[] { }, "")]
    [InlineData(new uint[] { 7 }, "7")]
    [InlineData(new uint[] { 1, 2, 3, 5, 9, 10 }, "1:3,5,9:10")]
    [InlineData(new uint[] { 1, 3, 5 }, "1,3,5")]
    [InlineData(new uint[] { 4294967294, 4294967295 }, "4294967294:4294967295")]
    public void Sequence_sets_compress_runs(uint[] numbers, string expected)
        => Assert.Equal(expected, Write(w => w.WriteSequenceSet(numbers)));

    [Fact]
    public void Parsed_sequence_sets_are_written_back()
    {
        Assert.Equal("1:*,5,7:3", Write(w => w.WriteSequenceSet(new SequenceSet([new(1, SequenceRange.Star), new(5, 5), new(7, 3)]))));
        Assert.Equal("$", Write(w => w.WriteSequenceSet(SequenceSet.SavedResult)));
    }
}
