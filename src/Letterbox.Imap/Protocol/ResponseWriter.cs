using System.Buffers;
using System.Globalization;
using System.Text;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// Writes IMAP response syntax (RFC 9051 §7, §9) straight into an <see cref="IBufferWriter{T}"/>
/// (the connection's PipeWriter). Fixed text goes through <see cref="WriteRaw"/> with u8 literals.
/// A copy of the struct writes to the same output.
/// </summary>
/// <param name="output">Where the octets go.</param>
/// <param name="utf8Enabled">
/// True once the client has enabled UTF8=ACCEPT or IMAP4rev2 (RFC 9051 §6.3.1, RFC 6855): strings may then
/// be quoted with 8-bit UTF-8 and mailbox names are sent as UTF-8 instead of modified UTF-7.
/// </param>
public readonly struct ResponseWriter(IBufferWriter<byte> output, bool utf8Enabled = false)
{
    /// <summary>Strings longer than this (in octets) are sent as literals rather than quoted.</summary>
    public const int MaxQuotedLength = 1024;

    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public IBufferWriter<byte> Output { get; } = output ?? throw new ArgumentNullException(nameof(output));

    public bool Utf8Enabled { get; } = utf8Enabled;

    /// <summary>Copies octets as they are ("* OK "u8, "\r\n"u8, a literal body...).</summary>
    public void WriteRaw(ReadOnlySpan<byte> octets)
    {
        var span = Output.GetSpan(octets.Length);
        octets.CopyTo(span);
        Output.Advance(octets.Length);
    }

    public void WriteByte(byte value)
    {
        Output.GetSpan(1)[0] = value;
        Output.Advance(1);
    }

    public void WriteSpace() => WriteByte((byte)' ');

    public void WriteCrlf() => WriteRaw("\r\n"u8);

    public void WriteNil() => WriteRaw("NIL"u8);

    /// <summary>Writes text the caller knows to be an atom (a tag, a keyword, a capability, a flag).</summary>
    public void WriteAtom(string atom)
    {
        ArgumentNullException.ThrowIfNull(atom);
        WriteText(atom);
    }

    public void WriteNumber(int value) => WriteFormattable(value);

    public void WriteNumber(uint value) => WriteFormattable(value);

    public void WriteNumber(long value) => WriteFormattable(value);

    public void WriteNumber(ulong value) => WriteFormattable(value);

    /// <summary>Always quoted, escaping "\" and DQUOTE; the caller guarantees no CR, LF or NUL.</summary>
    public void WriteQuoted(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[]? rented = null;
        var bytes = Encode(value, ref rented);
        try
        {
            WriteQuotedBytes(bytes);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>
    /// RFC 9051 string: quoted when safe (no CR, LF or NUL, at most <see cref="MaxQuotedLength"/>
    /// octets, 8-bit only when <see cref="Utf8Enabled"/>), otherwise a literal "{n}\r\n" + octets.
    /// </summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[]? rented = null;
        var bytes = Encode(value, ref rented);
        try
        {
            WriteString(bytes);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <inheritdoc cref="WriteString(string)"/>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        if (CanQuote(utf8))
        {
            WriteQuotedBytes(utf8);
        }
        else
        {
            WriteLiteral(utf8);
        }
    }

    /// <summary>nstring: NIL for null, else <see cref="WriteString(string)"/>.</summary>
    public void WriteNString(string? value)
    {
        if (value is null)
        {
            WriteNil();
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>astring: a bare atom when every octet is an ASTRING-CHAR (and it is not "NIL"), else a string.</summary>
    public void WriteAString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsBareAString(value))
        {
            WriteText(value);
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>
    /// A mailbox name (RFC 9051 §5.1): UTF-8 when <see cref="Utf8Enabled"/>, else modified UTF-7
    /// (RFC 3501 §5.1.3); written as an astring.
    /// </summary>
    public void WriteMailboxName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        WriteAString(Utf8Enabled ? name : ModifiedUtf7.Encode(name));
    }

    /// <summary>flag-list: "(" flags separated by SP ")"; each flag is written as it is (an atom or "\"atom).</summary>
    public void WriteFlagList(IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        WriteByte((byte)'(');
        bool first = true;
        foreach (var flag in flags)
        {
            if (!first)
            {
                WriteSpace();
            }
            WriteText(flag);
            first = false;
        }
        WriteByte((byte)')');
    }

    /// <summary>
    /// A sequence set from numbers in ascending order, runs compressed ("1:3,5,9:10"), for COPYUID,
    /// ESEARCH ALL and VANISHED (RFC 4315, RFC 4731, RFC 7162). Writes nothing for an empty list.
    /// </summary>
    public void WriteSequenceSet(IReadOnlyList<uint> ascending)
    {
        ArgumentNullException.ThrowIfNull(ascending);
        int i = 0;
        while (i < ascending.Count)
        {
            uint start = ascending[i];
            uint end = start;
            while (i + 1 < ascending.Count && ascending[i + 1] == end + 1 && end != uint.MaxValue)
            {
                end = ascending[++i];
            }
            i++;
            WriteNumber(start);
            if (end != start)
            {
                WriteByte((byte)':');
                WriteNumber(end);
            }
            if (i < ascending.Count)
            {
                WriteByte((byte)',');
            }
        }
    }

    /// <summary>A parsed <see cref="SequenceSet"/> as written ("*" for <see cref="SequenceRange.Star"/>, "$" for the saved result).</summary>
    public void WriteSequenceSet(SequenceSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.IsSavedResult)
        {
            WriteByte((byte)'$');
            return;
        }
        for (int i = 0; i < set.Ranges.Count; i++)
        {
            if (i > 0)
            {
                WriteByte((byte)',');
            }
            var range = set.Ranges[i];
            WriteSeqNumber(range.Start);
            if (range.End != range.Start)
            {
                WriteByte((byte)':');
                WriteSeqNumber(range.End);
            }
        }
    }

    private void WriteSeqNumber(uint value)
    {
        if (value == SequenceRange.Star)
        {
            WriteByte((byte)'*');
        }
        else
        {
            WriteNumber(value);
        }
    }

    /// <summary>
    /// "{n}\r\n" (or "~{n}\r\n" for BINARY, RFC 3516 literal8); the caller then writes exactly
    /// <paramref name="length"/> octets, for instance streamed from the blob.
    /// </summary>
    public void WriteLiteralHeader(long length, bool binary = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (binary)
        {
            WriteByte((byte)'~');
        }
        WriteByte((byte)'{');
        WriteNumber(length);
        WriteRaw("}\r\n"u8);
    }

    /// <summary>A whole literal: header and octets.</summary>
    public void WriteLiteral(ReadOnlySpan<byte> octets, bool binary = false)
    {
        WriteLiteralHeader(octets.Length, binary);
        WriteRaw(octets);
    }

    /// <summary>RFC 9051 date-time: DQUOTE "dd-Mon-yyyy hh:mm:ss +zzzz" DQUOTE, in the value's own offset.</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        int offsetMinutes = (int)value.Offset.TotalMinutes;
        char sign = offsetMinutes < 0 ? '-' : '+';
        offsetMinutes = Math.Abs(offsetMinutes);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"\"{value.Day:00}-{s_months[value.Month - 1]}-{value.Year:0000} {value.Hour:00}:{value.Minute:00}:{value.Second:00} {sign}{offsetMinutes / 60:00}{offsetMinutes % 60:00}\"");
        WriteText(text);
    }

    /// <summary>True when <paramref name="utf8"/> may be sent as a quoted string to this client.</summary>
    public bool CanQuote(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxQuotedLength || utf8.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            return false;
        }
        return Utf8Enabled ? System.Text.Unicode.Utf8.IsValid(utf8) : Ascii.IsValid(utf8);
    }

    private void WriteQuotedBytes(ReadOnlySpan<byte> bytes)
    {
        WriteByte((byte)'"');
        while (!bytes.IsEmpty)
        {
            int special = bytes.IndexOfAny((byte)'"', (byte)'\\');
            if (special < 0)
            {
                WriteRaw(bytes);
                break;
            }
            WriteRaw(bytes[..special]);
            WriteByte((byte)'\\');
            WriteByte(bytes[special]);
            bytes = bytes[(special + 1)..];
        }
        WriteByte((byte)'"');
    }

    private void WriteText(string text)
    {
        int count = Encoding.UTF8.GetByteCount(text);
        var span = Output.GetSpan(count);
        int written = Encoding.UTF8.GetBytes(text, span);
        Output.Advance(written);
    }

    private void WriteFormattable<T>(T value) where T : IUtf8SpanFormattable
    {
        var span = Output.GetSpan(24);
        if (!value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("The output buffer returned less than the span requested.");
        }
        Output.Advance(written);
    }

    private static bool IsBareAString(string value)
    {
        if (value.Length == 0 || value.Length > MaxQuotedLength || value.Equals("NIL", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (char c in value)
        {
            if (c > 0x7F || !ImapChars.IsAStringChar((byte)c))
            {
                return false;
            }
        }
        return true;
    }

    private static ReadOnlySpan<byte> Encode(string value, ref byte[]? rented)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        rented = ArrayPool<byte>.Shared.Rent(Math.Max(count, 1));
        int written = Encoding.UTF8.GetBytes(value, rented);
        return rented.AsSpan(0, written);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
