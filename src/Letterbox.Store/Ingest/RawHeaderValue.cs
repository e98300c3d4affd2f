using System.Text;

namespace Letterbox.Store.Ingest;

/// <summary>
/// Header values as written on the wire: unfolded (RFC 5322 §2.2.3) but not RFC 2047-decoded,
/// which is what IMAP ENVELOPE and BODYSTRUCTURE return (RFC 9051 §7.5.2).
/// </summary>
internal static class RawHeaderValue
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Unfolds raw header bytes into a trimmed string; 8-bit bytes that are not UTF-8 are read as Latin-1.</summary>
    public static string Unfold(byte[] raw)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(raw);
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            // Unfolding removes the line break and keeps the white space that follows it.
            if (c is '\r' or '\n')
            {
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString().Trim(' ', '\t');
    }
}
