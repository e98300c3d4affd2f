using System.Text;

namespace Letterbox.Tests.Integration;

/// <summary>
/// Deterministic, varied RFC 5322 messages: plain ASCII, UTF-8 8bit, RFC 2047 headers,
/// quoted-printable, multipart/alternative, attachments in base64, forwarded message/rfc822,
/// and sizes from a few hundred octets to ~300 KB. CRLF line ends throughout.
/// </summary>
public static class TestMessages
{
    public static byte[] Create(int n, string to = "alice@example.org")
    {
        var kind = n % 6;
        var sb = new StringBuilder();
        sb.Append("From: Sender ").Append(n).Append(" <sender").Append(n % 17).Append("@example.net>\r\n");
        sb.Append("To: ").Append(to).Append("\r\n");
        sb.Append("Date: ").Append(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.FromHours(1)).AddMinutes(n * 37).ToString("ddd, dd MMM yyyy HH:mm:ss +0100", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Message-ID: <test-").Append(n).Append("@example.net>\r\n");
        sb.Append(kind == 1 ? "Subject: =?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"Grüße Nummer {n}")) + "?=\r\n" : $"Subject: Test message {n}\r\n");
        sb.Append("MIME-Version: 1.0\r\n");
        switch (kind)
        {
            case 0:
                sb.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
                AppendLines(sb, n, 5 + n % 40);
                break;
            case 1:
                sb.Append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
                sb.Append("Grüße aus Köln, 東京 und Zürich. Nummer ").Append(n).Append("\r\n");
                AppendLines(sb, n, 3);
                break;
            case 2:
                sb.Append("Content-Type: multipart/alternative; boundary=\"alt-").Append(n).Append("\"\r\n\r\n");
                sb.Append("--alt-").Append(n).Append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
                sb.Append("Caf=C3=A9 cr=C3=A8me number ").Append(n).Append("\r\n");
                sb.Append("--alt-").Append(n).Append("\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Caf&eacute; <b>").Append(n).Append("</b></p>\r\n");
                sb.Append("--alt-").Append(n).Append("--\r\n");
                break;
            case 3:
                sb.Append("Content-Type: multipart/mixed; boundary=\"mix-").Append(n).Append("\"\r\n\r\n");
                sb.Append("--mix-").Append(n).Append("\r\nContent-Type: text/plain\r\n\r\nSee the attachment ").Append(n).Append(".\r\n");
                sb.Append("--mix-").Append(n).Append("\r\nContent-Type: application/octet-stream; name=\"data-").Append(n).Append(".bin\"\r\n");
                sb.Append("Content-Disposition: attachment; filename=\"data-").Append(n).Append(".bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                var bytes = new byte[1024 * (1 + n % 300)];
                new Random(n).NextBytes(bytes);
                var b64 = Convert.ToBase64String(bytes);
                for (var i = 0; i < b64.Length; i += 76)
                {
                    sb.Append(b64.AsSpan(i, Math.Min(76, b64.Length - i))).Append("\r\n");
                }
                sb.Append("--mix-").Append(n).Append("--\r\n");
                break;
            case 4:
                sb.Append("Content-Type: multipart/mixed; boundary=\"fwd-").Append(n).Append("\"\r\n\r\n");
                sb.Append("--fwd-").Append(n).Append("\r\nContent-Type: text/plain\r\n\r\nForwarded below.\r\n");
                sb.Append("--fwd-").Append(n).Append("\r\nContent-Type: message/rfc822\r\n\r\n");
                sb.Append("From: inner@example.com\r\nTo: someone@example.com\r\nSubject: Inner ").Append(n).Append("\r\n\r\nInner body ").Append(n).Append("\r\n");
                sb.Append("--fwd-").Append(n).Append("--\r\n");
                break;
            default:
                sb.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
                AppendLines(sb, n, 2000 + n % 1000);
                break;
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendLines(StringBuilder sb, int n, int count)
    {
        for (var i = 0; i < count; i++)
        {
            sb.Append("Line ").Append(i).Append(" of message ").Append(n).Append(": the quick brown fox jumps over the lazy dog.\r\n");
        }
    }
}
