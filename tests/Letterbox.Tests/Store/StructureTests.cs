using System.Text;
using Letterbox.Store;

namespace Letterbox.Tests.Store;

public sealed class StructureTests
{
    private const string Mixed =
        "From: \"Alice A.\" <alice@example.com>\r\n" +
        "To: Bob <bob@example.com>\r\n" +
        "Subject: =?UTF-8?B?w6l0w6k=?=\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n" +
        "\r\n" +
        "preamble\r\n" +
        "--outer\r\n" +
        "Content-Type: multipart/alternative; boundary=\"alt\"\r\n" +
        "\r\n" +
        "--alt\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "Plain body\r\nsecond line\r\n" +
        "--alt\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "\r\n" +
        "<p>Html <b>body</b></p>\r\n" +
        "--alt--\r\n" +
        "--outer\r\n" +
        "Content-Type: application/pdf; name=\"doc.pdf\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"doc.pdf\"\r\n" +
        "Content-ID: <part3@example.com>\r\n" +
        "Content-Language: en, fr\r\n" +
        "\r\n" +
        "JVBERi0xLjQK\r\n" +
        "--outer\r\n" +
        "Content-Type: message/rfc822\r\n" +
        "\r\n" +
        "From: carol@example.net\r\n" +
        "Subject: inner\r\n" +
        "Content-Type: text/plain\r\n" +
        "\r\n" +
        "Inner body\r\n" +
        "--outer--\r\n" +
        "epilogue\r\n";

    private static string At(byte[] bytes, long offset, long length) => Encoding.UTF8.GetString(bytes, (int)offset, (int)length);

    [Fact]
    public async Task Offsets_point_at_the_exact_header_and_body_bytes()
    {
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var appended = await account.AppendAsync(inbox.Id, [TempMailStore.Message(Mixed)]);
        var record = (await account.GetMessagesAsync(inbox.Id, [appended[0].Uid], MessageFields.Structure | MessageFields.Envelope | MessageFields.SearchText)).Single();
        var bytes = await TempMailStore.ReadAllAsync(account, record);
        var root = record.Structure!;

        Assert.Equal(("multipart", "mixed"), (root.Type, root.Subtype));
        Assert.Equal(0, root.HeaderOffset);
        Assert.EndsWith("boundary=\"outer\"\r\n\r\n", At(bytes, root.HeaderOffset, root.HeaderLength), StringComparison.Ordinal);
        Assert.Equal(bytes.Length, root.BodyOffset + root.BodyLength);
        Assert.StartsWith("preamble\r\n--outer\r\n", At(bytes, root.BodyOffset, root.BodyLength), StringComparison.Ordinal);
        Assert.Equal(3, root.Children.Count);

        var alternative = root.Children[0];
        Assert.Equal(("multipart", "alternative"), (alternative.Type, alternative.Subtype));
        Assert.Equal("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n", At(bytes, alternative.HeaderOffset, alternative.HeaderLength));
        var plain = alternative.Children[0];
        Assert.Equal(("text", "plain"), (plain.Type, plain.Subtype));
        Assert.Equal("Content-Type: text/plain; charset=utf-8\r\n\r\n", At(bytes, plain.HeaderOffset, plain.HeaderLength));
        Assert.Equal("Plain body\r\nsecond line", At(bytes, plain.BodyOffset, plain.BodyLength));
        Assert.Equal(2, plain.Lines);
        Assert.Equal([new MimeParameter("charset", "utf-8")], plain.Parameters);
        var html = alternative.Children[1];
        Assert.Equal("<p>Html <b>body</b></p>", At(bytes, html.BodyOffset, html.BodyLength));

        var pdf = root.Children[1];
        Assert.Equal(("application", "pdf"), (pdf.Type, pdf.Subtype));
        Assert.Equal("JVBERi0xLjQK", At(bytes, pdf.BodyOffset, pdf.BodyLength));
        Assert.Equal("base64", pdf.TransferEncoding);
        Assert.Equal("attachment", pdf.Disposition);
        Assert.Equal([new MimeParameter("filename", "doc.pdf")], pdf.DispositionParameters);
        Assert.Equal("<part3@example.com>", pdf.ContentId);
        Assert.Equal(["en", "fr"], pdf.Languages!);
        Assert.Equal(0, pdf.Lines);

        var message = root.Children[2];
        Assert.True(message.IsMessage);
        Assert.Equal("From: carol@example.net\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\nInner body", At(bytes, message.BodyOffset, message.BodyLength));
        Assert.Equal(5, message.Lines);
        Assert.Equal("inner", message.EncapsulatedEnvelope!.Subject);
        var inner = message.EncapsulatedBody!;
        Assert.Equal(message.BodyOffset, inner.HeaderOffset);
        Assert.EndsWith("Content-Type: text/plain\r\n\r\n", At(bytes, inner.HeaderOffset, inner.HeaderLength), StringComparison.Ordinal);
        Assert.Equal("Inner body", At(bytes, inner.BodyOffset, inner.BodyLength));
        Assert.Equal([new MimeParameter("charset", "us-ascii")], inner.Parameters);

        // Search text is decoded: the RFC 2047 subject, the text parts, HTML without tags.
        Assert.Contains("\u00e9t\u00e9", record.SearchText, StringComparison.Ordinal);
        Assert.Contains("Plain body", record.SearchText, StringComparison.Ordinal);
        Assert.Contains("Html body", record.SearchText, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", record.SearchText, StringComparison.Ordinal);
        Assert.Contains("Inner body", record.SearchText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Envelope_keeps_raw_values_groups_and_defaults()
    {
        const string raw =
            "Date: Tue, 3 Mar 2026 10:00:00 +0100\r\n" +
            "Subject: =?UTF-8?B?w6l0w6k=?=\r\n" +
            "  folded\r\n" +
            "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>\r\n" +
            "To: undisclosed-recipients:;\r\n" +
            "Cc: Team: \"Ann, B.\" <ann@example.org>, joe@example.org;, dave@example.net (Dave)\r\n" +
            "Bcc: <@relay.example:eve@example.com>\r\n" +
            "In-Reply-To: <0@example.com>\r\n" +
            "Message-ID: <1@example.com>\r\n" +
            "\r\n" +
            "body\r\n";
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        await account.AppendAsync(inbox.Id, [TempMailStore.Message(raw), TempMailStore.Message("X-Nothing: here\r\n\r\nbody\r\n")]);
        var records = await account.GetMessagesAsync(inbox.Id, [1, 2], MessageFields.Envelope);
        var envelope = records[0].Envelope!;

        Assert.Equal("=?UTF-8?B?w6l0w6k=?=  folded", envelope.Subject);
        Assert.Equal("Tue, 3 Mar 2026 10:00:00 +0100", envelope.Date);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.FromHours(1)), envelope.SentDate);
        Assert.Equal([new EnvelopeAddress("=?ISO-8859-1?Q?Andr=E9?=", null, "andre", "example.com")], envelope.From);
        Assert.Equal(envelope.From, envelope.Sender);
        Assert.Equal(envelope.From, envelope.ReplyTo);
        Assert.Equal([new EnvelopeAddress(null, null, "undisclosed-recipients", null), new EnvelopeAddress(null, null, null, null)], envelope.To);
        Assert.Equal(
            [
                new EnvelopeAddress(null, null, "Team", null),
                new EnvelopeAddress("Ann, B.", null, "ann", "example.org"),
                new EnvelopeAddress(null, null, "joe", "example.org"),
                new EnvelopeAddress(null, null, null, null),
                new EnvelopeAddress("Dave", null, "dave", "example.net"),
            ],
            envelope.Cc);
        Assert.Equal([new EnvelopeAddress(null, "@relay.example", "eve", "example.com")], envelope.Bcc);
        Assert.Equal("<0@example.com>", envelope.InReplyTo);
        Assert.Equal("<1@example.com>", envelope.MessageId);

        var empty = records[1].Envelope!;
        Assert.Null(empty.Subject);
        Assert.Null(empty.Date);
        Assert.Null(empty.SentDate);
        Assert.Null(empty.MessageId);
        Assert.Empty(empty.From);
        Assert.Empty(empty.Sender);
        Assert.Empty(empty.To);
    }

    [Fact]
    public async Task Bare_lf_multipart_offsets_are_exact_too()
    {
        var text = Mixed.Replace("\r\n", "\n", StringComparison.Ordinal);
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var appended = await account.AppendAsync(inbox.Id, [TempMailStore.Message(text)]);
        var record = (await account.GetMessagesAsync(inbox.Id, [appended[0].Uid], MessageFields.Structure)).Single();
        var bytes = await TempMailStore.ReadAllAsync(account, record);
        Assert.Equal(Encoding.UTF8.GetBytes(text), bytes);
        var plain = record.Structure!.Children[0].Children[0];
        Assert.Equal("Content-Type: text/plain; charset=utf-8\n\n", At(bytes, plain.HeaderOffset, plain.HeaderLength));
        Assert.Equal("Plain body\nsecond line", At(bytes, plain.BodyOffset, plain.BodyLength));
        Assert.Equal(2, plain.Lines);
        var inner = record.Structure.Children[2].EncapsulatedBody!;
        Assert.Equal("Inner body", At(bytes, inner.BodyOffset, inner.BodyLength));
    }

    [Fact]
    public async Task Broken_mime_still_stores_with_a_usable_structure()
    {
        string[] broken =
        [
            "Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\nno boundary ever appears\r\n",
            "Content-Type: multipart/mixed\r\n\r\nmultipart without a boundary parameter\r\n",
            "Subject: only a header and no newline at the end",
            "\r\nbody after an empty header block\r\n",
        ];
        await using var temp = TempMailStore.Create();
        await using var account = await temp.OpenAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        foreach (var text in broken)
        {
            var result = await account.AppendAsync(inbox.Id, [TempMailStore.Message(text)]);
            var record = (await account.GetMessagesAsync(inbox.Id, [result[0].Uid], MessageFields.Structure)).Single();
            var bytes = await TempMailStore.ReadAllAsync(account, record);
            Assert.Equal(Encoding.UTF8.GetBytes(text), bytes);
            var root = record.Structure!;
            Assert.Equal(0, root.HeaderOffset);
            Assert.Equal(bytes.Length, root.HeaderLength + root.BodyLength);
            Assert.Equal(root.HeaderLength, root.BodyOffset);
        }
    }
}
