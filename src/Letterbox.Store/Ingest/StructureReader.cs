using MimeKit;

namespace Letterbox.Store.Ingest;

/// <summary>
/// Turns a parsed MIME tree into <see cref="MimePartInfo"/> with absolute byte offsets into the
/// stored message (what BODYSTRUCTURE and BODY[section] need, RFC 9051 §6.4.5, §7.5.2).
/// Entity boundaries come from MimeKit's parser events; header ends and line counts are
/// measured on the bytes themselves.
/// </summary>
internal sealed class StructureReader
{
    /// <summary>Deeper MIME nesting is stored as opaque leaves (a bound on recursion).</summary>
    public const int MaxDepth = 64;

    private readonly Dictionary<MimeEntity, long> _entityBegin = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<MimeEntity, long> _entityEnd = new(ReferenceEqualityComparer.Instance);
    private readonly BlobBytes _bytes;

    public StructureReader(MimeParser parser, BlobBytes bytes)
    {
        _bytes = bytes;
        parser.MimeEntityBegin += (_, e) => _entityBegin[e.Entity] = e.BeginOffset;
        parser.MimeEntityEnd += (_, e) => _entityEnd[e.Entity] = e.EndOffset;
    }

    /// <summary>The root part of a message whose header starts at <paramref name="start"/> and which ends at <paramref name="end"/>.</summary>
    public MimePartInfo ReadMessage(MimeMessage message, long start, long end, int depth)
    {
        var headerEnd = _bytes.FindHeaderEnd(start, end);
        return Part(message.Body, start, headerEnd, end, depth);
    }

    /// <summary>The structure used when MIME parsing fails: the whole message as one text/plain part.</summary>
    public static MimePartInfo PlainText(BlobBytes bytes)
    {
        var headerEnd = bytes.FindHeaderEnd(0, bytes.Length);
        return new MimePartInfo
        {
            Type = "text",
            Subtype = "plain",
            Parameters = [new MimeParameter("charset", "us-ascii")],
            HeaderOffset = 0,
            HeaderLength = headerEnd,
            BodyOffset = headerEnd,
            BodyLength = bytes.Length - headerEnd,
            Lines = bytes.CountLines(headerEnd, bytes.Length - headerEnd),
        };
    }

    private MimePartInfo Child(MimeEntity entity, long parentBodyEnd, int depth)
    {
        var begin = _entityBegin.TryGetValue(entity, out var b) ? b : parentBodyEnd;
        var end = _entityEnd.TryGetValue(entity, out var e) ? Math.Min(e, parentBodyEnd) : parentBodyEnd;
        var headerEnd = _bytes.FindHeaderEnd(begin, end);
        return Part(entity, begin, headerEnd, end, depth);
    }

    private MimePartInfo Part(MimeEntity? entity, long headerStart, long bodyStart, long end, int depth)
    {
        var bodyLength = Math.Max(0, end - bodyStart);
        if (entity is null)
        {
            return new MimePartInfo
            {
                Type = "text",
                Subtype = "plain",
                Parameters = [new MimeParameter("charset", "us-ascii")],
                HeaderOffset = headerStart,
                HeaderLength = bodyStart - headerStart,
                BodyOffset = bodyStart,
                BodyLength = bodyLength,
                Lines = _bytes.CountLines(bodyStart, bodyLength),
            };
        }

        var contentType = entity.ContentType;
        var type = contentType.MediaType;
        var subtype = contentType.MediaSubtype;
        var parameters = contentType.Parameters.Select(p => new MimeParameter(p.Name, p.Value)).ToList();
        if (type.Equals("text", StringComparison.OrdinalIgnoreCase)
            && !parameters.Exists(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)))
        {
            // RFC 2045 §5.2 and RFC 2046 §4.1.2: a text part without a charset is us-ascii;
            // BODYSTRUCTURE says so explicitly, as Dovecot does.
            parameters.Add(new MimeParameter("charset", "us-ascii"));
        }

        IReadOnlyList<MimePartInfo> children = [];
        MessageEnvelope? encapsulatedEnvelope = null;
        MimePartInfo? encapsulatedBody = null;
        long lines = 0;
        var isMessage = type.Equals("message", StringComparison.OrdinalIgnoreCase)
            && (subtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) || subtype.Equals("global", StringComparison.OrdinalIgnoreCase));

        if (depth < MaxDepth && entity is Multipart multipart)
        {
            children = multipart.Select(child => Child(child, end, depth + 1)).ToList();
        }
        else if (depth < MaxDepth && isMessage && entity is MessagePart { Message: { } inner })
        {
            encapsulatedEnvelope = EnvelopeReader.Read(inner.Headers);
            encapsulatedBody = ReadMessage(inner, bodyStart, end, depth + 1);
            lines = _bytes.CountLines(bodyStart, bodyLength);
        }
        else if (type.Equals("text", StringComparison.OrdinalIgnoreCase) || isMessage)
        {
            lines = _bytes.CountLines(bodyStart, bodyLength);
        }

        var disposition = entity.ContentDisposition;
        var languages = EnvelopeReader.First(entity.Headers, HeaderId.ContentLanguage);
        return new MimePartInfo
        {
            Type = type,
            Subtype = subtype,
            Parameters = parameters,
            ContentId = EnvelopeReader.First(entity.Headers, HeaderId.ContentId),
            Description = EnvelopeReader.First(entity.Headers, HeaderId.ContentDescription),
            TransferEncoding = EnvelopeReader.First(entity.Headers, HeaderId.ContentTransferEncoding),
            Md5 = EnvelopeReader.First(entity.Headers, HeaderId.ContentMd5),
            Disposition = disposition?.Disposition,
            DispositionParameters = disposition is null ? [] : disposition.Parameters.Select(p => new MimeParameter(p.Name, p.Value)).ToList(),
            Languages = languages?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Location = EnvelopeReader.First(entity.Headers, HeaderId.ContentLocation),
            HeaderOffset = headerStart,
            HeaderLength = bodyStart - headerStart,
            BodyOffset = bodyStart,
            BodyLength = bodyLength,
            Lines = lines,
            Children = children,
            EncapsulatedEnvelope = encapsulatedEnvelope,
            EncapsulatedBody = encapsulatedBody,
        };
    }
}
