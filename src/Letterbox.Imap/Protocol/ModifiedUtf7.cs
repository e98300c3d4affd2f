using System.Text;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable US-ASCII except "&amp;" stands for
/// itself, "&amp;" is "&amp;-", anything else is UTF-16 in modified BASE64 ("," for "/", no padding)
/// between "&amp;" and "-".
/// </summary>
public static class ModifiedUtf7
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    /// <summary>Encodes a mailbox name for a client that has not enabled UTF-8.</summary>
    public static string Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NeedsEncoding(name))
        {
            return name;
        }
        var sb = new StringBuilder(name.Length + 16);
        int i = 0;
        while (i < name.Length)
        {
            char c = name[i];
            if (c == '&')
            {
                sb.Append("&-");
                i++;
            }
            else if (c is >= ' ' and <= '~')
            {
                sb.Append(c);
                i++;
            }
            else
            {
                sb.Append('&');
                int bits = 0;
                int buffer = 0;
                while (i < name.Length && name[i] is < ' ' or > '~')
                {
                    char u = name[i++];
                    buffer = (buffer << 16) | u;
                    bits += 16;
                    while (bits >= 6)
                    {
                        bits -= 6;
                        sb.Append(Alphabet[(buffer >> bits) & 0x3F]);
                    }
                    buffer &= (1 << bits) - 1;
                }
                if (bits > 0)
                {
                    sb.Append(Alphabet[(buffer << (6 - bits)) & 0x3F]);
                }
                sb.Append('-');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Decodes a modified UTF-7 name. Returns false for malformed input: characters outside
    /// printable US-ASCII, an unterminated or empty-looking shift, bad BASE64, leftover non-zero
    /// bits or an odd octet, printable ASCII or "&amp;" encoded in BASE64, two adjacent shifts, or a
    /// lone surrogate.
    /// </summary>
    public static bool TryDecode(string encoded, out string decoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        decoded = encoded;
        if (encoded.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
        {
            return false;
        }
        if (!encoded.Contains('&', StringComparison.Ordinal))
        {
            return true;
        }
        var sb = new StringBuilder(encoded.Length);
        int i = 0;
        bool previousWasShift = false;
        while (i < encoded.Length)
        {
            char c = encoded[i];
            if (c != '&')
            {
                sb.Append(c);
                i++;
                previousWasShift = false;
                continue;
            }
            i++;
            if (i < encoded.Length && encoded[i] == '-')
            {
                sb.Append('&');
                i++;
                previousWasShift = false;
                continue;
            }
            if (previousWasShift)
            {
                // "&AOQ-&APY-" must have been written as one shift "&AOQA9g-" (RFC 3501 §5.1.3).
                return false;
            }
            int bits = 0;
            int buffer = 0;
            int start = sb.Length;
            while (true)
            {
                if (i >= encoded.Length)
                {
                    return false;
                }
                char b = encoded[i++];
                if (b == '-')
                {
                    break;
                }
                int v = Alphabet.IndexOf(b, StringComparison.Ordinal);
                if (v < 0)
                {
                    return false;
                }
                buffer = (buffer << 6) | v;
                bits += 6;
                if (bits >= 16)
                {
                    bits -= 16;
                    char u = (char)((buffer >> bits) & 0xFFFF);
                    buffer &= (1 << bits) - 1;
                    if (u is >= ' ' and <= '~')
                    {
                        return false;
                    }
                    sb.Append(u);
                }
            }
            if (sb.Length == start || bits >= 6 || buffer != 0)
            {
                return false;
            }
            previousWasShift = true;
        }
        var result = sb.ToString();
        if (!IsWellFormedUtf16(result))
        {
            return false;
        }
        decoded = result;
        return true;
    }

    private static bool NeedsEncoding(string name)
    {
        foreach (char c in name)
        {
            if (c is '&' or < ' ' or > '~')
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return false;
            }
        }
        return true;
    }
}
