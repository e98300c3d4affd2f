using System.Text;
using System.Xml;

namespace Letterbox.Settings.Documents;

/// <summary>How every published XML document is written: UTF-8 without a byte-order mark, indented, LF line ends.</summary>
internal static class DocumentText
{
    /// <summary>UTF-8 without BOM: some autoconfig parsers choke on a BOM before &lt;?xml.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string WriteXml(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = Utf8, Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = false };
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            write(writer);
        }
        return Utf8.GetString(buffer.ToArray()) + "\n";
    }

    public static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
