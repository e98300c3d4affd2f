using System.Text;
using Letterbox.Imap.Protocol;
using Letterbox.Store;

namespace Letterbox.Imap.Session;

/// <summary>A byte range of the stored message (absolute offsets), or bytes computed from it (HEADER.FIELDS).</summary>
internal readonly record struct SectionContent(long Offset, long Length, byte[]? Bytes, MimePartInfo? Part);

/// <summary>
/// Finds a FETCH section (RFC 9051 §6.4.5 section-spec) in the structure computed at ingest:
/// part numbers, nested message/rfc822 rules, HEADER / HEADER.FIELDS(.NOT) / TEXT / MIME.
/// The message is never re-parsed; only header bytes are read for HEADER.FIELDS.
/// </summary>
internal static class MessageSections
{
    /// <summary>Follows part numbers; null when a number names no part.</summary>
    public static MimePartInfo? FindPart(MimePartInfo root, IReadOnlyList<int> path)
    {
        MimePartInfo? part = null;
        foreach (var number in path)
        {
            // Inside a message/rfc822 part, numbers continue in the enclosed message (RFC 9051 §6.4.5).
            var parent = part is null ? root : part.IsMessage ? part.EncapsulatedBody : part;
            if (parent is null || number < 1)
            {
                return null;
            }
            if (parent.IsMultipart)
            {
                if (number > parent.Children.Count)
                {
                    return null;
                }
                part = parent.Children[number - 1];
            }
            else if (number == 1)
            {
                // A non-multipart message or part has exactly one part, itself.
                part = parent;
            }
            else
            {
                return null;
            }
        }
        return part;
    }

    /// <summary>Resolves a section to its bytes; null when the section does not exist (answered as an empty string).</summary>
    public static async Task<SectionContent?> ResolveAsync(IMailAccount account, MessageRecord message, SectionSpec spec, CancellationToken ct)
    {
        var root = message.Structure;
        if (root is null)
        {
            return spec.Part.Count == 0 && spec.Text == SectionText.None ? new SectionContent(0, message.Size, null, null) : null;
        }
        MimePartInfo? part = null;
        if (spec.Part.Count > 0)
        {
            part = FindPart(root, spec.Part);
            if (part is null)
            {
                return null;
            }
        }
        // The message whose HEADER/TEXT is meant: the top level, or the message enclosed in a message/rfc822 part.
        var message822 = part is null ? root : part.IsMessage ? part.EncapsulatedBody : null;
        switch (spec.Text)
        {
            case SectionText.None:
                return part is null
                    ? new SectionContent(0, message.Size, null, root)
                    : new SectionContent(part.BodyOffset, part.BodyLength, null, part);
            case SectionText.Mime:
                return part is null ? null : new SectionContent(part.HeaderOffset, part.HeaderLength, null, part);
            case SectionText.Header:
                return message822 is null ? null : new SectionContent(message822.HeaderOffset, message822.HeaderLength, null, message822);
            case SectionText.Text:
                return message822 is null ? null : new SectionContent(message822.BodyOffset, message822.BodyLength, null, message822);
            default:
                if (message822 is null)
                {
                    return null;
                }
                var header = await ReadAsync(account, message, message822.HeaderOffset, message822.HeaderLength, ct).ConfigureAwait(false);
                var filtered = FilterHeader(header, spec.Fields, spec.Text == SectionText.HeaderFields);
                return new SectionContent(0, filtered.Length, filtered, message822);
        }
    }

    /// <summary>Reads a small range of the stored message (a header block).</summary>
    public static async Task<byte[]> ReadAsync(IMailAccount account, MessageRecord message, long offset, long length, CancellationToken ct)
    {
        var bytes = new byte[length];
        var stream = account.OpenContent(message);
        await using (stream.ConfigureAwait(false))
        {
            stream.Seek(offset, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        }
        return bytes;
    }

    /// <summary>
    /// HEADER.FIELDS / HEADER.FIELDS.NOT: the matching fields as stored (folding kept), then the
    /// blank line (RFC 9051 §6.4.5). Field names compare case-insensitively.
    /// </summary>
    public static byte[] FilterHeader(ReadOnlySpan<byte> header, IReadOnlyList<string> fields, bool include)
    {
        var names = new HashSet<string>(fields, StringComparer.OrdinalIgnoreCase);
        using var result = new MemoryStream();
        var keep = false;
        var rest = header;
        while (!rest.IsEmpty)
        {
            var lf = rest.IndexOf((byte)'\n');
            var line = lf < 0 ? rest : rest[..(lf + 1)];
            rest = lf < 0 ? [] : rest[(lf + 1)..];
            var content = line.TrimEnd("\r\n"u8);
            if (content.IsEmpty)
            {
                break;
            }
            if (content[0] is not ((byte)' ' or (byte)'\t'))
            {
                var colon = content.IndexOf((byte)':');
                var name = colon < 0 ? "" : Encoding.ASCII.GetString(content[..colon]).Trim();
                keep = names.Contains(name) == include;
            }
            if (keep)
            {
                result.Write(line);
            }
        }
        result.Write("\r\n"u8);
        return result.ToArray();
    }

    /// <summary>The section-spec as it is echoed in the response: "1.2.HEADER.FIELDS (FROM TO)".</summary>
    public static string Format(SectionSpec spec)
    {
        var sb = new StringBuilder();
        sb.AppendJoin('.', spec.Part);
        if (spec.Text != SectionText.None)
        {
            if (spec.Part.Count > 0)
            {
                sb.Append('.');
            }
            sb.Append(spec.Text switch
            {
                SectionText.Header => "HEADER",
                SectionText.HeaderFields => "HEADER.FIELDS",
                SectionText.HeaderFieldsNot => "HEADER.FIELDS.NOT",
                SectionText.Text => "TEXT",
                _ => "MIME",
            });
            if (spec.Text is SectionText.HeaderFields or SectionText.HeaderFieldsNot)
            {
                sb.Append(" (").AppendJoin(' ', spec.Fields.Select(f => f.ToUpperInvariant())).Append(')');
            }
        }
        return sb.ToString();
    }
}
