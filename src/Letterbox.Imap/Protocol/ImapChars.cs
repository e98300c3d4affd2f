namespace Letterbox.Imap.Protocol;

/// <summary>Character classes of RFC 9051 §9.</summary>
internal static class ImapChars
{
    /// <summary>ATOM-CHAR: any CHAR except atom-specials "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]".</summary>
    public static bool IsAtomChar(byte b) => b is > 0x20 and < 0x7F
        and not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' or (byte)']');

    /// <summary>ASTRING-CHAR = ATOM-CHAR / resp-specials ("]").</summary>
    public static bool IsAStringChar(byte b) => IsAtomChar(b) || b == (byte)']';

    /// <summary>tag = 1*&lt;any ASTRING-CHAR except "+"&gt;.</summary>
    public static bool IsTagChar(byte b) => IsAStringChar(b) && b != (byte)'+';

    /// <summary>list-char = ATOM-CHAR / list-wildcards / resp-specials.</summary>
    public static bool IsListChar(byte b) => IsAStringChar(b) || b == (byte)'%' || b == (byte)'*';

    /// <summary>Length of the run of tag characters at the start of <paramref name="line"/>.</summary>
    public static int TagLength(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length && IsTagChar(line[i]))
        {
            i++;
        }
        return i;
    }
}
