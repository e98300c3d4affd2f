using System.Xml;

namespace Letterbox.Settings.Documents;

/// <summary>An Outlook Autodiscover POX request ([MS-OXDSCLI] §2.2.3): the address and the response schema asked for.</summary>
public sealed record AutodiscoverRequest(string EmailAddress, string AcceptableResponseSchema)
{
    /// <summary>
    /// Parses a request body. Malformed input is a return value (null with a reason), never an exception.
    /// DTDs are prohibited, so entity expansion (XXE, "billion laughs") cannot happen; the caller bounds the size.
    /// </summary>
    public static AutodiscoverRequest? Parse(ReadOnlyMemory<byte> body, out string? error)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = 64 * 1024,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        string? email = null;
        string? schema = null;
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            reader.MoveToContent();
            while (!reader.EOF)
            {
                // Element names are matched without regard to namespace: clients send the request schema,
                // some omit it on inner elements. ReadElementContentAsString already moves past the element.
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "EMailAddress")
                {
                    email = reader.ReadElementContentAsString().Trim();
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "AcceptableResponseSchema")
                {
                    schema = reader.ReadElementContentAsString().Trim();
                }
                else
                {
                    reader.Read();
                }
            }
        }
        catch (XmlException e)
        {
            error = "malformed XML: " + e.Message;
            return null;
        }
        if (string.IsNullOrEmpty(email))
        {
            error = "no EMailAddress in the request";
            return null;
        }
        error = null;
        return new AutodiscoverRequest(email, schema ?? AutodiscoverDocument.ResponseSchema);
    }
}
