using System.Buffers;
using System.Text;
using Letterbox.Imap.Protocol;
using Letterbox.Store;

namespace Letterbox.Tests.ImapGrammar;

public class StructureFormatterTests
{
    private static string Envelope(MessageEnvelope envelope, bool utf8 = false)
    {
        var output = new ArrayBufferWriter<byte>();
        EnvelopeFormatter.Write(new ResponseWriter(output, utf8), envelope);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Body(MimePartInfo part, bool extensible)
    {
        var output = new ArrayBufferWriter<byte>();
        BodyStructureFormatter.Write(new ResponseWriter(output), part, extensible);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static EnvelopeAddress A(string? name, string mailbox, string host) => new(name, null, mailbox, host);

    private static MimePartInfo Part(string type, string subtype, long length, long lines = 0, params MimeParameter[] parameters) => new()
    {
        Type = type,
        Subtype = subtype,
        Parameters = parameters,
        HeaderOffset = 0,
        HeaderLength = 0,
        BodyOffset = 0,
        BodyLength = length,
        Lines = lines,
    };

    [Fact]
    public void Envelope_matches_the_rfc_example_with_sender_and_reply_to_from_from()
    {
        // RFC 3501 §8 sample FETCH ENVELOPE (Sender and Reply-To absent in the header).
        var gray = A("Terry Gray", "gray", "cac.washington.edu");
        var envelope = new MessageEnvelope
        {
            Date = "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
            Subject = "IMAP4rev1 WG mtg summary and minutes",
            From = [gray],
            To = [A(null, "imap", "cac.washington.edu")],
            Cc = [A(null, "minutes", "CNRI.Reston.VA.US"), A("John Klensin", "KLENSIN", "MIT.EDU")],
            MessageId = "<B27397-0100000@cac.washington.edu>",
        };
        Assert.Equal(
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) " +
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) " +
            "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL " +
            "\"<B27397-0100000@cac.washington.edu>\")",
            Envelope(envelope));
    }

    [Fact]
    public void Envelope_with_group_in_to_missing_from_and_explicit_reply_to()
    {
        var envelope = new MessageEnvelope
        {
            Subject = "=?UTF-8?Q?caf=C3=A9?=",
            ReplyTo = [A(null, "list", "example.org")],
            To =
            [
                new EnvelopeAddress(null, null, "undisclosed-recipients", null),
                new EnvelopeAddress(null, null, null, null),
                new EnvelopeAddress(null, null, "team", null),
                A("Ann \"the\" Dev", "ann", "example.com"),
                new EnvelopeAddress(null, "@relay.example", "bob", "example.com"),
                new EnvelopeAddress(null, null, null, null),
            ],
            InReplyTo = "<parent@example.com>",
        };
        Assert.Equal(
            "(NIL \"=?UTF-8?Q?caf=C3=A9?=\" NIL NIL ((NIL NIL \"list\" \"example.org\")) " +
            "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)(NIL NIL \"team\" NIL)" +
            "(\"Ann \\\"the\\\" Dev\" NIL \"ann\" \"example.com\")(NIL \"@relay.example\" \"bob\" \"example.com\")(NIL NIL NIL NIL)) " +
            "NIL NIL \"<parent@example.com>\" NIL)",
            Envelope(envelope));
    }

    [Fact]
    public void Envelope_with_8bit_subject_uses_a_literal_unless_utf8_is_enabled()
    {
        var envelope = new MessageEnvelope { Subject = "café" };
        Assert.Equal("(NIL {5}\r\ncafé NIL NIL NIL NIL NIL NIL NIL NIL)", Envelope(envelope));
        Assert.Equal("(NIL \"café\" NIL NIL NIL NIL NIL NIL NIL NIL)", Envelope(envelope, utf8: true));
    }

    [Fact]
    public void Plain_text()
    {
        var part = new MimePartInfo
        {
            Type = "text",
            Subtype = "plain",
            Parameters = [new("charset", "utf-8")],
            TransferEncoding = "quoted-printable",
            HeaderOffset = 0,
            HeaderLength = 200,
            BodyOffset = 200,
            BodyLength = 120,
            Lines = 4,
        };
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 120 4 NIL NIL NIL NIL)", Body(part, true));
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 120 4)", Body(part, false));
    }

    [Fact]
    public void Text_without_parameters_or_encoding_gets_the_defaults()
    {
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)", Body(Part("TEXT", "plain", 0), false));
    }

    [Fact]
    public void Multipart_mixed_with_attachment()
    {
        var root = new MimePartInfo
        {
            Type = "multipart",
            Subtype = "mixed",
            Parameters = [new("boundary", "b1")],
            HeaderOffset = 0,
            HeaderLength = 100,
            BodyOffset = 100,
            BodyLength = 5000,
            Children =
            [
                Part("text", "plain", 10, 1),
                new MimePartInfo
                {
                    Type = "application",
                    Subtype = "pdf",
                    Parameters = [new("name", "report.pdf")],
                    TransferEncoding = "base64",
                    Disposition = "attachment",
                    DispositionParameters = [new("filename", "report.pdf"), new("size", "2950")],
                    ContentId = "<part2@example.com>",
                    Description = "The report",
                    Md5 = "Q2hlY2sgSW50ZWdyaXR5IQ==",
                    Languages = ["en", "de"],
                    Location = "http://example.com/report.pdf",
                    HeaderOffset = 0,
                    HeaderLength = 0,
                    BodyOffset = 0,
                    BodyLength = 4000,
                },
            ],
        };
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)" +
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<part2@example.com>\" \"The report\" \"BASE64\" 4000 " +
            "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"ATTACHMENT\" (\"FILENAME\" \"report.pdf\" \"SIZE\" \"2950\")) (\"en\" \"de\") \"http://example.com/report.pdf\")" +
            " \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)",
            Body(root, true));
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1)" +
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<part2@example.com>\" \"The report\" \"BASE64\" 4000) \"MIXED\")",
            Body(root, false));
    }

    [Fact]
    public void Multipart_alternative_with_language_and_inline_disposition()
    {
        var root = new MimePartInfo
        {
            Type = "multipart",
            Subtype = "alternative",
            Parameters = [new("boundary", "alt")],
            Disposition = "inline",
            Languages = ["fr"],
            HeaderOffset = 0,
            HeaderLength = 0,
            BodyOffset = 0,
            BodyLength = 300,
            Children =
            [
                Part("text", "plain", 50, 2, new MimeParameter("charset", "iso-8859-1"), new MimeParameter("format", "flowed")),
                Part("text", "html", 150, 6, new MimeParameter("charset", "utf-8")),
            ],
        };
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"iso-8859-1\" \"FORMAT\" \"flowed\") NIL NIL \"7BIT\" 50 2 NIL NIL NIL NIL)" +
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 150 6 NIL NIL NIL NIL)" +
            " \"ALTERNATIVE\" (\"BOUNDARY\" \"alt\") (\"INLINE\" NIL) \"fr\" NIL)",
            Body(root, true));
    }

    [Fact]
    public void Nested_message_rfc822()
    {
        var inner = new MessageEnvelope
        {
            Date = "Mon, 1 Jan 2024 10:00:00 +0000",
            Subject = "Inner",
            From = [A("Eve", "eve", "example.net")],
            MessageId = "<inner@example.net>",
        };
        var root = new MimePartInfo
        {
            Type = "multipart",
            Subtype = "mixed",
            Parameters = [new("boundary", "outer")],
            HeaderOffset = 0,
            HeaderLength = 0,
            BodyOffset = 0,
            BodyLength = 900,
            Children =
            [
                Part("text", "plain", 20, 1),
                new MimePartInfo
                {
                    Type = "message",
                    Subtype = "rfc822",
                    HeaderOffset = 0,
                    HeaderLength = 0,
                    BodyOffset = 0,
                    BodyLength = 400,
                    Lines = 12,
                    EncapsulatedEnvelope = inner,
                    EncapsulatedBody = Part("text", "plain", 30, 2, new MimeParameter("charset", "us-ascii")),
                },
            ],
        };
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 1 NIL NIL NIL NIL)" +
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 400 " +
            "(\"Mon, 1 Jan 2024 10:00:00 +0000\" \"Inner\" ((\"Eve\" NIL \"eve\" \"example.net\")) ((\"Eve\" NIL \"eve\" \"example.net\")) ((\"Eve\" NIL \"eve\" \"example.net\")) NIL NIL NIL NIL \"<inner@example.net>\") " +
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 30 2 NIL NIL NIL NIL) 12 NIL NIL NIL NIL)" +
            " \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)",
            Body(root, true));
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 1)" +
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 400 " +
            "(\"Mon, 1 Jan 2024 10:00:00 +0000\" \"Inner\" ((\"Eve\" NIL \"eve\" \"example.net\")) ((\"Eve\" NIL \"eve\" \"example.net\")) ((\"Eve\" NIL \"eve\" \"example.net\")) NIL NIL NIL NIL \"<inner@example.net>\") " +
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 30 2) 12) \"MIXED\")",
            Body(root, false));
    }

    [Fact]
    public void Empty_multipart_gets_a_stand_in_part()
    {
        var root = Part("multipart", "mixed", 0);
        Assert.Equal("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")", Body(root, false));
    }

    [Fact]
    public void Basic_part_has_no_line_count()
    {
        Assert.Equal("(\"IMAGE\" \"PNG\" NIL NIL NIL \"7BIT\" 77)", Body(Part("image", "png", 77, 5), false));
    }
}
