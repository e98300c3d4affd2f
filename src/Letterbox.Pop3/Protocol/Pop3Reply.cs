using System.Buffers;
using System.Text;

namespace Letterbox.Pop3.Protocol;

/// <summary>Extended response codes (RFC 2449 §8; RFC 3206 for SYS/* and AUTH).</summary>
public enum Pop3ResponseCode
{
    None,
    /// <summary>RFC 2449 §8.1.1: the maildrop is locked by another session.</summary>
    InUse,
    /// <summary>RFC 2449 §8.1.2: logged in again too soon.</summary>
    LoginDelay,
    /// <summary>RFC 3206 §4: a temporary system problem; try later.</summary>
    SysTemp,
    /// <summary>RFC 3206 §4: a permanent system problem; do not retry.</summary>
    SysPerm,
    /// <summary>RFC 3206 §5: the failure is about the credentials or the way they were given.</summary>
    Auth,
    /// <summary>RFC 6856 §5: the failure is due to UTF-8 (mode) handling.</summary>
    Utf8,
}

/// <summary>
/// Writes POP3 responses straight into the output buffer (RFC 1939 §3): status lines, multi-line
/// bodies ending in ".", SASL challenges. Pure: the session flushes.
/// </summary>
public static class Pop3Reply
{
    /// <summary>RFC 2449 §4: a response line is at most 512 octets with its CRLF; longer texts are cut.</summary>
    public const int MaxStatusLength = 510;

    /// <summary>"+OK text".</summary>
    public static void Ok(IBufferWriter<byte> output, string text)
        => Status(output, "+OK"u8, Pop3ResponseCode.None, text);

    /// <summary>"-ERR [CODE] text".</summary>
    public static void Err(IBufferWriter<byte> output, Pop3ResponseCode code, string text)
        => Status(output, "-ERR"u8, code, text);

    /// <summary>RFC 5034 §4: "+ base64challenge" (a single space after "+" even when the challenge is empty).</summary>
    public static void Challenge(IBufferWriter<byte> output, string base64)
    {
        output.Write("+ "u8);
        Ascii(output, base64);
        output.Write("\r\n"u8);
    }

    /// <summary>One line of a multi-line response (listings, CAPA), dot-stuffed (RFC 1939 §3).</summary>
    public static void Line(IBufferWriter<byte> output, string text)
    {
        if (text.StartsWith('.'))
        {
            output.Write("."u8);
        }
        Utf8(output, text);
        output.Write("\r\n"u8);
    }

    /// <summary>The terminator of a multi-line response.</summary>
    public static void End(IBufferWriter<byte> output) => output.Write(".\r\n"u8);

    public static string CodeText(Pop3ResponseCode code) => Encoding.ASCII.GetString(CodeBytes(code));

    private static ReadOnlySpan<byte> CodeBytes(Pop3ResponseCode code) => code switch
    {
        Pop3ResponseCode.InUse => "IN-USE"u8,
        Pop3ResponseCode.LoginDelay => "LOGIN-DELAY"u8,
        Pop3ResponseCode.SysTemp => "SYS/TEMP"u8,
        Pop3ResponseCode.SysPerm => "SYS/PERM"u8,
        Pop3ResponseCode.Auth => "AUTH"u8,
        Pop3ResponseCode.Utf8 => "UTF8"u8,
        _ => ""u8,
    };

    /// <summary>Writes the status line straight into the output's buffer, cut at <see cref="MaxStatusLength"/> on a character boundary.</summary>
    private static void Status(IBufferWriter<byte> output, ReadOnlySpan<byte> indicator, Pop3ResponseCode code, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = output.GetSpan(MaxStatusLength + 2);
        indicator.CopyTo(span);
        var n = indicator.Length;
        if (code != Pop3ResponseCode.None)
        {
            " ["u8.CopyTo(span[n..]);
            n += 2;
            var codeBytes = CodeBytes(code);
            codeBytes.CopyTo(span[n..]);
            n += codeBytes.Length;
            span[n++] = (byte)']';
        }
        if (text.Length > 0)
        {
            span[n++] = (byte)' ';
            System.Text.Unicode.Utf8.FromUtf16(text, span[n..MaxStatusLength], out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
            // Control characters in a text (say, an echoed argument) would break the line structure.
            foreach (ref var b in span.Slice(n, written))
            {
                if (b is (byte)'\r' or (byte)'\n' or 0)
                {
                    b = (byte)' ';
                }
            }
            n += written;
        }
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        output.Advance(n);
    }

    private static void Ascii(IBufferWriter<byte> output, string text) => output.Write(Encoding.ASCII.GetBytes(text));

    private static void Utf8(IBufferWriter<byte> output, string text) => output.Write(Encoding.UTF8.GetBytes(text));
}
