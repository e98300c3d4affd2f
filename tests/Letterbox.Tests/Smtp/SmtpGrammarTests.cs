using System.Buffers;
using System.Text;
using Letterbox.Smtp;
using Letterbox.Smtp.Protocol;

namespace Letterbox.Tests.Smtp;

/// <summary>The pure SMTP grammar: command parsing, the command table, and DATA decoding split at every byte boundary.</summary>
public class SmtpGrammarTests
{
    private static SmtpParseResult Parse(string line) => SmtpCommandParser.Parse(Encoding.UTF8.GetBytes(line));

    [Theory]
    [InlineData("EHLO client.example.net", SmtpVerb.Ehlo, "client.example.net")]
    [InlineData("helo [192.0.2.1]", SmtpVerb.Helo, "[192.0.2.1]")]
    [InlineData("LHLO mx.example.org", SmtpVerb.Lhlo, "mx.example.org")]
    [InlineData("MAIL FROM:<a@example.net>", SmtpVerb.Mail, "a@example.net")]
    [InlineData("mail from: <a@example.net>", SmtpVerb.Mail, "a@example.net")]
    [InlineData("MAIL FROM:<>", SmtpVerb.Mail, "")]
    [InlineData("MAIL FROM:<@relay.example,@b.example:a@example.net>", SmtpVerb.Mail, "a@example.net")]
    [InlineData("RCPT TO:<alice@example.org>", SmtpVerb.Rcpt, "alice@example.org")]
    [InlineData("RCPT TO:<\"a b\"@example.org>", SmtpVerb.Rcpt, "\"a b\"@example.org")]
    [InlineData("RCPT TO:<Postmaster>", SmtpVerb.Rcpt, "Postmaster")]
    [InlineData("DATA", SmtpVerb.Data, "")]
    [InlineData("rset", SmtpVerb.Rset, "")]
    [InlineData("NOOP", SmtpVerb.Noop, "")]
    [InlineData("NOOP anything", SmtpVerb.Noop, "anything")]
    [InlineData("QUIT", SmtpVerb.Quit, "")]
    [InlineData("VRFY alice", SmtpVerb.Vrfy, "alice")]
    [InlineData("EXPN staff", SmtpVerb.Expn, "staff")]
    [InlineData("HELP", SmtpVerb.Help, "")]
    [InlineData("STARTTLS", SmtpVerb.StartTls, "")]
    public void Parses_commands(string line, SmtpVerb verb, string argument)
    {
        var result = Parse(line);
        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.Equal(verb, result.Command!.Verb);
        Assert.Equal(argument, result.Command.Argument);
    }

    [Fact]
    public void Parses_mail_parameters()
    {
        var command = Parse("MAIL FROM:<a@example.net> SIZE=12345 BODY=8BITMIME SMTPUTF8").Command!;
        Assert.Equal(12345, command.DeclaredSize);
        Assert.Equal(SmtpBody.EightBitMime, command.Body);
        Assert.True(command.SmtpUtf8);
        Assert.Equal(SmtpBody.SevenBit, Parse("MAIL FROM:<a@example.net> body=7bit").Command!.Body);
    }

    [Fact]
    public void Parses_dsn_parameters()
    {
        var mail = Parse("MAIL FROM:<a@example.net> RET=hdrs ENVID=QQ314159+2Bx").Command!;
        Assert.Equal(DsnReturn.Headers, mail.Return);
        Assert.Equal("QQ314159+2Bx", mail.EnvelopeId);
        Assert.Equal(DsnReturn.Full, Parse("MAIL FROM:<> RET=FULL").Command!.Return);
        var rcpt = Parse("RCPT TO:<b@example.org> NOTIFY=success,DELAY ORCPT=rfc822;Bob+40Example.COM").Command!;
        Assert.Equal(DsnNotify.Success | DsnNotify.Delay, rcpt.Notify);
        Assert.Equal("rfc822;Bob+40Example.COM", rcpt.OriginalRecipient);
        Assert.Equal(DsnNotify.Never, Parse("RCPT TO:<b@example.org> NOTIFY=NEVER").Command!.Notify);
        Assert.Equal(DsnNotify.None, Parse("RCPT TO:<b@example.org>").Command!.Notify);
        Assert.True(SmtpCommandParser.IsXtext(""));
        Assert.False(SmtpCommandParser.IsXtext("a b"));
    }

    [Theory]
    [InlineData("BDAT 0 LAST", 0L, true)]
    [InlineData("bdat 4096", 4096L, false)]
    [InlineData("BDAT 12 last", 12L, true)]
    [InlineData("BDAT 999999999999999999", 999999999999999999L, false)]
    public void Parses_bdat(string line, long size, bool last)
    {
        var command = Parse(line).Command!;
        Assert.Equal(SmtpVerb.Bdat, command.Verb);
        Assert.Equal(size, command.ChunkSize);
        Assert.Equal(last, command.LastChunk);
    }

    [Fact]
    public void A_bad_bdat_loses_sync_and_other_errors_do_not()
    {
        Assert.True(Parse("BDAT ten").LostSync);
        Assert.False(Parse("DATA now").LostSync);
        Assert.Equal(SmtpBody.BinaryMime, Parse("MAIL FROM:<a@example.net> BODY=BINARYMIME").Command!.Body);
    }

    [Theory]
    [InlineData("BOGUS", 500, "5.5.2")]
    [InlineData("", 500, "5.5.2")]
    [InlineData("EHLO", 501, "5.5.4")]
    [InlineData("EHLO two words", 501, "5.5.4")]
    [InlineData("MAIL", 501, "5.5.4")]
    [InlineData("MAIL TO:<a@example.net>", 501, "5.5.4")]
    [InlineData("MAIL FROM:a@example.net", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@example.net", 501, "5.1.7")]
    [InlineData("MAIL FROM:<no-at-sign>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@example.net> SIZE=big", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> BODY=9BIT", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> RET=ALL", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> RET=FULL RET=HDRS", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> ENVID=", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> ENVID=a=b", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> ENVID=a+2g", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> ENVID=a+2", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> ENVID=ü", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> NOTIFY=NEVER,SUCCESS", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> NOTIFY=SUCCESS,SUCCESS", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> NOTIFY=", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> NOTIFY=ALWAYS", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> ORCPT=a@example.org", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> ORCPT=rfc822;", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> ORCPT=rfc 822;a", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> ORCPT=rfc822;a=b", 501, "5.5.4")]
    [InlineData("RCPT TO:<a@example.org> FOO=1", 555, "5.5.4")]
    [InlineData("BDAT", 501, "5.5.4")]
    [InlineData("BDAT x", 501, "5.5.4")]
    [InlineData("BDAT -1", 501, "5.5.4")]
    [InlineData("BDAT 10 FIRST", 501, "5.5.4")]
    [InlineData("BDAT 10 LAST more", 501, "5.5.4")]
    [InlineData("BDAT 1234567890123456789", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.net> FOO=1", 555, "5.5.4")]
    [InlineData("RCPT TO:<>", 501, "5.1.3")]
    [InlineData("RCPT TO:<a@>", 501, "5.1.3")]
    [InlineData("DATA now", 501, "5.5.4")]
    [InlineData("STARTTLS please", 501, "5.5.4")]
    [InlineData("VRFY", 501, "5.5.4")]
    [InlineData("RCPT TO:<a\u0000b@example.org>", 501, "5.5.4")]
    public void Refuses_bad_commands_with_codes(string line, int code, string enhanced)
    {
        var result = Parse(line);
        Assert.False(result.IsSuccess);
        Assert.Equal(code, result.Error!.Code);
        Assert.Equal(enhanced, result.Error.Enhanced);
    }

    [Fact]
    public void Refuses_invalid_utf8()
    {
        var result = SmtpCommandParser.Parse(new byte[] { (byte)'R', (byte)'C', (byte)'P', (byte)'T', (byte)' ', 0xff });
        Assert.Equal(501, result.Error!.Code);
    }

    [Fact]
    public void Replies_carry_enhanced_codes_and_multiline_continuations()
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpReply.UnknownUser.WriteTo(output);
        SmtpReply.WriteLines(output, 250, ["mx.example.org Hello", "PIPELINING", "8BITMIME"]);
        Assert.Equal("550 5.1.1 No such user here\r\n250-mx.example.org Hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Command_table_orders_the_transaction()
    {
        Assert.False(CommandTable.IsAllowed(SmtpVerb.Mail, SmtpStates.Connected));
        Assert.True(CommandTable.IsAllowed(SmtpVerb.Mail, SmtpStates.Greeted));
        Assert.False(CommandTable.IsAllowed(SmtpVerb.Mail, SmtpStates.Mail));
        Assert.False(CommandTable.IsAllowed(SmtpVerb.Rcpt, SmtpStates.Greeted));
        Assert.True(CommandTable.IsAllowed(SmtpVerb.Rcpt, SmtpStates.Recipients));
        Assert.False(CommandTable.IsAllowed(SmtpVerb.Data, SmtpStates.Greeted));
        Assert.False(CommandTable.IsAllowed(SmtpVerb.StartTls, SmtpStates.Mail));
        Assert.True(CommandTable.IsKnown(SmtpVerb.Lhlo, SmtpMode.Lmtp));
        Assert.False(CommandTable.IsKnown(SmtpVerb.Lhlo, SmtpMode.Smtp));
        Assert.False(CommandTable.IsKnown(SmtpVerb.Ehlo, SmtpMode.Lmtp));
        Assert.All(Enum.GetValues<SmtpVerb>(), v => Assert.True(CommandTable.Rules.ContainsKey(v)));
        Assert.All(CommandTable.Rules, r => Assert.Equal(r.Key is SmtpVerb.Mail or SmtpVerb.Rcpt or SmtpVerb.Data or SmtpVerb.Bdat, r.Value.CountsAsTransaction));
        Assert.True(CommandTable.IsAllowed(SmtpVerb.Bdat, SmtpStates.Recipients));
        Assert.False(CommandTable.IsAllowed(SmtpVerb.Bdat, SmtpStates.Greeted));
    }

    /// <summary>Decodes <paramref name="input"/> fed in two pieces split at <paramref name="split"/>.</summary>
    private static (string Content, bool Complete, int Consumed) Decode(byte[] input, int split, long max = 1 << 20)
    {
        var decoder = new DataDecoder(max);
        var output = new ArrayBufferWriter<byte>();
        var consumed = decoder.Decode(input.AsSpan(0, split), output);
        if (!decoder.IsComplete)
        {
            Assert.Equal(split, consumed);
            consumed += decoder.Decode(input.AsSpan(split), output);
        }
        return (Encoding.Latin1.GetString(output.WrittenSpan), decoder.IsComplete, consumed);
    }

    public static TheoryData<string, string, int> DataCases => new()
    {
        // input, expected content, octets consumed (the rest is the next command)
        { "Subject: a\r\n\r\nbody\r\n.\r\nQUIT\r\n", "Subject: a\r\n\r\nbody\r\n", 23 },
        { ".\r\n", "", 3 },
        { "..leading\r\n...two\r\n.\r\n", ".leading\r\n..two\r\n", 22 },
        { ".x\r\n.\r\n", "x\r\n", 7 },
        // Smuggling probes: bare LF or bare CR never end the data and are kept as content.
        { "a\n.\nMAIL FROM:<x@y>\r\n.\r\n", "a\n.\nMAIL FROM:<x@y>\r\n", 24 },
        { "a\r.\rb\r\n.\r\n", "a\r.\rb\r\n", 10 },
        { "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", 11 },
        { "a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n", 11 },
        { "a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", 11 },
        { "a\r\r\n.\r\n", "a\r\r\n", 7 },
    };

    [Theory]
    [MemberData(nameof(DataCases))]
    public void Data_decoding_is_the_same_at_every_split(string input, string expected, int consumed)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var (content, complete, used) = Decode(bytes, split);
            Assert.True(complete, $"split {split}");
            Assert.Equal(expected, content);
            Assert.Equal(consumed, used);
        }
    }

    [Fact]
    public void Data_without_the_end_line_stays_incomplete()
    {
        var bytes = Encoding.ASCII.GetBytes("a\r\n.\n\n.\r.\r\n..\r\n");
        for (var split = 0; split <= bytes.Length; split++)
        {
            var (_, complete, used) = Decode(bytes, split);
            Assert.False(complete);
            Assert.Equal(bytes.Length, used);
        }
    }

    [Fact]
    public void Data_over_the_cap_is_drained_not_kept()
    {
        var bytes = Encoding.ASCII.GetBytes("0123456789\r\n.\r\nNOOP\r\n");
        var decoder = new DataDecoder(5);
        var output = new ArrayBufferWriter<byte>();
        var used = decoder.Decode(bytes, output);
        Assert.True(decoder.IsComplete);
        Assert.True(decoder.TooBig);
        Assert.Equal(15, used);
        Assert.Equal(12, decoder.Size);
        Assert.Equal(5, output.WrittenCount);
    }
}
