using System.Text;
using MimeKit;

namespace Letterbox.Store.Ingest;

/// <summary>
/// The decoded text kept for SEARCH (RFC 9051 §6.4.4): decoded header values and the decoded
/// text of text/* parts, HTML reduced to its text. Capped at <see cref="MaxChars"/>.
/// </summary>
internal static class SearchTextBuilder
{
    /// <summary>Upper bound of the stored search text, in UTF-16 characters.</summary>
    public const int MaxChars = 1024 * 1024;

    /// <summary>Most characters reserved up front: below the large-object heap (85,000 bytes).</summary>
    private const int MaxInitialChars = 32 * 1024;

    /// <summary>The search text of <paramref name="message"/>, <paramref name="size"/> octets long.</summary>
    public static string Build(MimeMessage message, long size)
    {
        // Sized from the message (its text is rarely longer than its octets), so that a typical
        // message's text is one buffer rather than a chain of chunks grown as it is appended.
        var text = new StringBuilder((int)Math.Clamp(size, 16, MaxInitialChars));
        AppendMessage(text, message, depth: 0);
        return text.Length > MaxChars ? text.ToString(0, MaxChars) : text.ToString();
    }

    private static void AppendMessage(StringBuilder text, MimeMessage message, int depth)
    {
        foreach (var header in message.Headers)
        {
            if (text.Length >= MaxChars)
            {
                return;
            }
            text.Append(header.Field).Append(": ").Append(header.Value).Append('\n');
        }
        text.Append('\n');
        if (message.Body is not null)
        {
            AppendEntity(text, message.Body, depth);
        }
    }

    private static void AppendEntity(StringBuilder text, MimeEntity entity, int depth)
    {
        if (text.Length >= MaxChars || depth > StructureReader.MaxDepth)
        {
            return;
        }
        switch (entity)
        {
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    AppendEntity(text, child, depth + 1);
                }
                break;
            case MessagePart { Message: { } inner }:
                AppendMessage(text, inner, depth + 1);
                break;
            case TextPart part:
                string body;
                try
                {
                    body = part.Text ?? "";
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException or FormatException or IOException)
                {
                    // Broken charset or encoding: the text is simply not searchable.
                    return;
                }
                if (part.IsHtml)
                {
                    HtmlText.Append(text, body);
                }
                else
                {
                    text.Append(body);
                }
                text.Append('\n');
                break;
        }
    }
}
