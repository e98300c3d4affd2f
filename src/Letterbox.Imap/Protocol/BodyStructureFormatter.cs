using Letterbox.Store;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// Writes BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, §9 body) from the MIME tree computed at ingest.
/// Type, subtype, parameter names, encoding and disposition type are upper-cased, as Cyrus and
/// most servers send them; values keep their case. A text part without parameters gets
/// ("CHARSET" "US-ASCII") and a part without Content-Transfer-Encoding "7BIT" (RFC 2045 defaults).
/// </summary>
public static class BodyStructureFormatter
{
    private static readonly MimeParameter[] s_defaultTextParameters = [new("CHARSET", "US-ASCII")];

    private static readonly MessageEnvelope s_emptyEnvelope = new();

    private static readonly MimePartInfo s_emptyTextPart = new()
    {
        Type = "text",
        Subtype = "plain",
        HeaderOffset = 0,
        HeaderLength = 0,
        BodyOffset = 0,
        BodyLength = 0,
    };

    /// <summary>
    /// Writes the body of <paramref name="part"/>: with <paramref name="extensible"/> true the
    /// BODYSTRUCTURE form (with extension data), else the non-extensible BODY form.
    /// </summary>
    public static void Write(ResponseWriter writer, MimePartInfo part, bool extensible)
    {
        ArgumentNullException.ThrowIfNull(part);
        writer.WriteByte((byte)'(');
        if (part.IsMultipart)
        {
            WriteMultipart(writer, part, extensible);
        }
        else
        {
            WriteSinglePart(writer, part, extensible);
        }
        writer.WriteByte((byte)')');
    }

    /// <summary>body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].</summary>
    private static void WriteMultipart(ResponseWriter writer, MimePartInfo part, bool extensible)
    {
        if (part.Children.Count == 0)
        {
            // The grammar needs at least one body; Dovecot also stands in an empty text part for a
            // multipart without parts, so clients that walk the tree do not break.
            Write(writer, s_emptyTextPart, extensible);
        }
        foreach (var child in part.Children)
        {
            Write(writer, child, extensible);
        }
        writer.WriteSpace();
        writer.WriteString(part.Subtype.ToUpperInvariant());
        if (!extensible)
        {
            return;
        }
        // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
        writer.WriteSpace();
        WriteParameters(writer, part.Parameters);
        writer.WriteSpace();
        WriteDisposition(writer, part);
        writer.WriteSpace();
        WriteLanguages(writer, part.Languages);
        writer.WriteSpace();
        writer.WriteNString(part.Location);
    }

    /// <summary>body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part].</summary>
    private static void WriteSinglePart(ResponseWriter writer, MimePartInfo part, bool extensible)
    {
        bool isText = string.Equals(part.Type, "text", StringComparison.OrdinalIgnoreCase);
        writer.WriteString(part.Type.ToUpperInvariant());
        writer.WriteSpace();
        writer.WriteString(part.Subtype.ToUpperInvariant());
        writer.WriteSpace();
        // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
        WriteParameters(writer, isText && part.Parameters.Count == 0 ? s_defaultTextParameters : part.Parameters);
        writer.WriteSpace();
        writer.WriteNString(part.ContentId);
        writer.WriteSpace();
        writer.WriteNString(part.Description);
        writer.WriteSpace();
        writer.WriteString(string.IsNullOrEmpty(part.TransferEncoding) ? "7BIT" : part.TransferEncoding.ToUpperInvariant());
        writer.WriteSpace();
        writer.WriteNumber(part.BodyLength);
        if (part.IsMessage)
        {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
            writer.WriteSpace();
            EnvelopeFormatter.Write(writer, part.EncapsulatedEnvelope ?? s_emptyEnvelope);
            writer.WriteSpace();
            Write(writer, part.EncapsulatedBody ?? s_emptyTextPart, extensible);
            writer.WriteSpace();
            writer.WriteNumber(part.Lines);
        }
        else if (isText)
        {
            // body-type-text = media-text SP body-fields SP body-fld-lines
            writer.WriteSpace();
            writer.WriteNumber(part.Lines);
        }
        if (!extensible)
        {
            return;
        }
        // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
        writer.WriteSpace();
        writer.WriteNString(part.Md5);
        writer.WriteSpace();
        WriteDisposition(writer, part);
        writer.WriteSpace();
        WriteLanguages(writer, part.Languages);
        writer.WriteSpace();
        writer.WriteNString(part.Location);
    }

    /// <summary>body-fld-param = "(" string SP string *(SP string SP string) ")" / nil.</summary>
    private static void WriteParameters(ResponseWriter writer, IReadOnlyList<MimeParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteByte((byte)'(');
        bool first = true;
        foreach (var parameter in parameters)
        {
            if (!first)
            {
                writer.WriteSpace();
            }
            writer.WriteString(parameter.Name.ToUpperInvariant());
            writer.WriteSpace();
            writer.WriteString(parameter.Value);
            first = false;
        }
        writer.WriteByte((byte)')');
    }

    /// <summary>body-fld-dsp = "(" string SP body-fld-param ")" / nil.</summary>
    private static void WriteDisposition(ResponseWriter writer, MimePartInfo part)
    {
        if (string.IsNullOrEmpty(part.Disposition))
        {
            writer.WriteNil();
            return;
        }
        writer.WriteByte((byte)'(');
        writer.WriteString(part.Disposition.ToUpperInvariant());
        writer.WriteSpace();
        WriteParameters(writer, part.DispositionParameters);
        writer.WriteByte((byte)')');
    }

    /// <summary>body-fld-lang = nstring / "(" string *(SP string) ")": one language as a string, several as a list.</summary>
    private static void WriteLanguages(ResponseWriter writer, IReadOnlyList<string>? languages)
    {
        if (languages is null || languages.Count == 0)
        {
            writer.WriteNil();
        }
        else if (languages.Count == 1)
        {
            writer.WriteString(languages[0]);
        }
        else
        {
            writer.WriteByte((byte)'(');
            for (int i = 0; i < languages.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteSpace();
                }
                writer.WriteString(languages[i]);
            }
            writer.WriteByte((byte)')');
        }
    }

}
