using System.Text;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// A cursor over a <see cref="CommandInput"/>: reads the RFC 9051 §9 terminals (SP, atoms,
/// strings, numbers, sequence sets, dates) across line pieces and literals. Every read returns
/// false on a client mistake and records the first error's text; nothing here throws on input.
/// </summary>
internal sealed class CommandReader(CommandInput input, ParserLimits limits)
{
    private static readonly string[] s_months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    private int _line;
    private int _pos;

    public ParserLimits Limits { get; } = limits;

    public CommandInput Input { get; } = input;

    public string? Error { get; private set; }

    /// <summary>True when the error is answered NO rather than BAD (an unsupported CHARSET).</summary>
    public bool ErrorIsNo { get; private set; }

    /// <summary>Current parenthesis nesting, checked against <see cref="ParserLimits.MaxDepth"/>.</summary>
    public int Depth { get; private set; }

    private byte[] Line => Input.Lines[_line];

    public bool AtEnd => _pos >= Line.Length && _line == Input.Lines.Count - 1;

    public bool Fail(string text)
    {
        Error ??= text;
        return false;
    }

    public bool FailNo(string text)
    {
        if (Error is null)
        {
            Error = text;
            ErrorIsNo = true;
        }
        return false;
    }

    /// <summary>"Expected X, found Y" for the octet at the cursor.</summary>
    public bool Unexpected(string expected) => Fail($"Expected {expected}, found {Describe()}");

    public string Describe()
    {
        int b = Peek();
        return b switch
        {
            -1 => "the end of the command",
            ' ' => "a space",
            >= 0x80 => "an 8-bit octet (not allowed here, e.g. in an atom)",
            < 0x20 or 0x7F => "a control character",
            _ => $"'{(char)b}'",
        };
    }

    public int Peek() => _pos < Line.Length ? Line[_pos] : -1;

    public int PeekAt(int offset) => _pos + offset < Line.Length ? Line[_pos + offset] : -1;

    public bool TryConsume(byte b)
    {
        if (Peek() == b)
        {
            _pos++;
            return true;
        }
        return false;
    }

    /// <summary>Consumes <paramref name="word"/> (upper-case ASCII) case-insensitively when it is next and ends at a delimiter.</summary>
    public bool TryConsumeWord(string word)
    {
        var rest = Line.AsSpan(_pos);
        if (rest.Length < word.Length || !Ascii.EqualsIgnoreCase(rest[..word.Length], word))
        {
            return false;
        }
        if (rest.Length > word.Length && ImapChars.IsAtomChar(rest[word.Length]) && rest[word.Length] != (byte)'[')
        {
            return false;
        }
        _pos += word.Length;
        return true;
    }

    public bool Expect(byte b, string what) => TryConsume(b) || Unexpected(what);

    public bool Space() => TryConsume((byte)' ') || Unexpected("a space");

    public bool End() => AtEnd || Unexpected("the end of the command");

    public bool Open()
    {
        if (!TryConsume((byte)'('))
        {
            return Unexpected("'('");
        }
        if (++Depth > Limits.MaxDepth)
        {
            return Fail($"Parentheses nested deeper than {Limits.MaxDepth} levels");
        }
        return true;
    }

    /// <summary>One more level of nesting without a parenthesis (SEARCH NOT / OR).</summary>
    public bool EnterDepth() => ++Depth <= Limits.MaxDepth || Fail($"Search criteria nested deeper than {Limits.MaxDepth} levels");

    public void LeaveDepth() => Depth--;

    public bool Close()
    {
        if (!TryConsume((byte)')'))
        {
            return Unexpected("')'");
        }
        Depth--;
        return true;
    }

    /// <summary>Fails when a list grows past <see cref="ParserLimits.MaxItems"/>.</summary>
    public bool CheckCount(int count, string what) => count <= Limits.MaxItems || Fail($"Too many {what} (at most {Limits.MaxItems})");

    /// <summary>The run of octets satisfying <paramref name="accept"/> (possibly empty).</summary>
    public ReadOnlySpan<byte> ReadWhile(Func<byte, bool> accept)
    {
        int start = _pos;
        var line = Line;
        while (_pos < line.Length && accept(line[_pos]))
        {
            _pos++;
        }
        return line.AsSpan(start, _pos - start);
    }

    /// <summary>A keyword or attribute name: letters, digits, ".", "-", "=" (FETCH BODY.PEEK, RFC822.SIZE, AUTH=...).</summary>
    public ReadOnlySpan<byte> ReadKeyword() => ReadWhile(static b => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')
        or (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'-' or (byte)'=' or (byte)'_');

    public bool ReadAtom(string what, out string atom)
    {
        var span = ReadWhile(ImapChars.IsAtomChar);
        atom = Encoding.ASCII.GetString(span);
        return span.Length > 0 || Unexpected(what);
    }

    /// <summary>astring = 1*ASTRING-CHAR / string, decoded as UTF-8.</summary>
    public bool ReadAString(string what, out string value)
    {
        value = "";
        if (!ReadAStringBytes(what, out var bytes))
        {
            return false;
        }
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    public bool ReadAStringBytes(string what, out byte[] bytes)
    {
        int b = Peek();
        if (b is '"' or '{')
        {
            return ReadStringBytes(what, out bytes);
        }
        if (b == '~' && PeekAt(1) == '{')
        {
            bytes = [];
            return Fail("literal8 (~{n}) is only allowed for APPEND data");
        }
        var span = ReadWhile(ImapChars.IsAStringChar);
        bytes = span.ToArray();
        return span.Length > 0 || Unexpected(what);
    }

    /// <summary>list-mailbox = 1*list-char / string (RFC 9051 §9, LIST patterns).</summary>
    public bool ReadListMailbox(out string value)
    {
        value = "";
        int b = Peek();
        if (b is '"' or '{')
        {
            if (!ReadStringBytes("a mailbox pattern", out var bytes))
            {
                return false;
            }
            value = Encoding.UTF8.GetString(bytes);
            return true;
        }
        var span = ReadWhile(ImapChars.IsListChar);
        value = Encoding.UTF8.GetString(span);
        return span.Length > 0 || Unexpected("a mailbox pattern");
    }

    public bool ReadString(string what, out string value)
    {
        value = "";
        if (!ReadStringBytes(what, out var bytes))
        {
            return false;
        }
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>nstring = string / "NIL".</summary>
    public bool ReadNString(string what, out string? value)
    {
        if (TryConsumeWord("NIL"))
        {
            value = null;
            return true;
        }
        var ok = ReadString(what, out var s);
        value = s;
        return ok;
    }

    /// <summary>string = quoted / literal.</summary>
    public bool ReadStringBytes(string what, out byte[] bytes)
    {
        bytes = [];
        int b = Peek();
        if (b == '"')
        {
            return ReadQuoted(out bytes);
        }
        if (b == '{')
        {
            if (!ReadLiteral(allowBinary: false, out var literal, out _, out _))
            {
                return false;
            }
            return LiteralBytes(literal, out bytes);
        }
        return Unexpected(what);
    }

    private bool ReadQuoted(out byte[] bytes)
    {
        bytes = [];
        _pos++;
        var line = Line;
        var buffer = new List<byte>();
        while (true)
        {
            if (_pos >= line.Length)
            {
                return Fail("Unterminated quoted string");
            }
            byte c = line[_pos++];
            if (c == '"')
            {
                bytes = [.. buffer];
                // RFC 9051 §4.3: 8-bit in a quoted string must be UTF-8 (Latin-1 from old clients is refused, not guessed).
                return System.Text.Unicode.Utf8.IsValid(bytes) || Fail("Invalid UTF-8 in quoted string");
            }
            if (c == '\\')
            {
                if (_pos >= line.Length || line[_pos] is not ((byte)'"' or (byte)'\\'))
                {
                    return Fail("Invalid escape in quoted string (only \\\\ and \\\" are allowed)");
                }
                c = line[_pos++];
            }
            else if (c is 0 or (byte)'\r' or (byte)'\n')
            {
                return Fail("NUL, CR or LF in quoted string");
            }
            buffer.Add(c);
        }
    }

    /// <summary>
    /// literal / literal8: the marker must end the current line piece; the literal that followed it
    /// is taken and the cursor moves to the next piece.
    /// </summary>
    public bool ReadLiteral(bool allowBinary, out ImapLiteral literal, out int index, out bool binary)
    {
        literal = null!;
        index = _line;
        binary = TryConsume((byte)'~');
        if (binary && !allowBinary)
        {
            return Fail("literal8 (~{n}) is only allowed for APPEND data");
        }
        if (!Expect((byte)'{', "'{'"))
        {
            return false;
        }
        var digits = ReadWhile(static b => b is >= (byte)'0' and <= (byte)'9');
        TryConsume((byte)'+');
        if (digits.IsEmpty || !TryConsume((byte)'}') || _pos != Line.Length)
        {
            return Fail("Invalid literal marker (expected {n} or {n+} at the end of a line)");
        }
        if (_line >= Input.Literals.Count)
        {
            return Fail("Literal announced but its data is missing");
        }
        literal = Input.Literals[_line];
        if (!long.TryParse(digits, out long declared) || declared != literal.Length)
        {
            return Fail("Literal length does not match its marker");
        }
        _line++;
        _pos = 0;
        return true;
    }

    private bool LiteralBytes(ImapLiteral literal, out byte[] bytes)
    {
        bytes = [];
        if (literal.Bytes is { } inMemory)
        {
            if (inMemory.Length > Limits.MaxStringLiteral)
            {
                return Fail($"String literal longer than {Limits.MaxStringLiteral} octets");
            }
            bytes = inMemory;
        }
        else
        {
            if (literal.Length > Limits.MaxStringLiteral)
            {
                return Fail($"String literal longer than {Limits.MaxStringLiteral} octets");
            }
            using var stream = literal.Message!.OpenRead();
            using var copy = new MemoryStream((int)literal.Length);
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        if (bytes.AsSpan().IndexOf((byte)0) >= 0)
        {
            return Fail("NUL in a literal string");
        }
        return true;
    }

    /// <summary>number (RFC 9051 §9): unsigned 32-bit.</summary>
    public bool ReadNumber(string what, out uint value)
    {
        value = 0;
        var digits = ReadWhile(static b => b is >= (byte)'0' and <= (byte)'9');
        if (digits.IsEmpty)
        {
            return Unexpected(what);
        }
        return uint.TryParse(digits, out value) || Fail($"{Capitalize(what)} is larger than 4294967295");
    }

    public bool ReadNzNumber(string what, out uint value)
        => ReadNumber(what, out value) && (value != 0 || Fail($"{Capitalize(what)} must not be 0"));

    /// <summary>number64: unsigned 63-bit.</summary>
    public bool ReadNumber64(string what, out long value)
    {
        value = 0;
        var digits = ReadWhile(static b => b is >= (byte)'0' and <= (byte)'9');
        if (digits.IsEmpty)
        {
            return Unexpected(what);
        }
        return long.TryParse(digits, out value) || Fail($"{Capitalize(what)} is larger than 9223372036854775807");
    }

    /// <summary>mod-sequence-value (RFC 7162 §7): 1*DIGIT, 63-bit.</summary>
    public bool ReadModSeq(string what, out ulong value)
    {
        value = 0;
        if (!ReadNumber64(what, out long v))
        {
            return false;
        }
        value = (ulong)v;
        return true;
    }

    /// <summary>sequence-set (RFC 9051 §9) or "$" (RFC 5182).</summary>
    public bool ReadSequenceSet(out SequenceSet set)
    {
        set = SequenceSet.SavedResult;
        if (TryConsume((byte)'$'))
        {
            return true;
        }
        var ranges = new List<SequenceRange>();
        do
        {
            if (!ReadSeqNumber(out uint start))
            {
                return false;
            }
            uint end = start;
            if (TryConsume((byte)':') && !ReadSeqNumber(out end))
            {
                return false;
            }
            ranges.Add(new SequenceRange(start, end));
            if (!CheckCount(ranges.Count, "sequence set ranges"))
            {
                return false;
            }
        }
        while (TryConsume((byte)','));
        set = new SequenceSet(ranges);
        return true;
    }

    private bool ReadSeqNumber(out uint value)
    {
        value = 0;
        if (TryConsume((byte)'*'))
        {
            value = SequenceRange.Star;
            return true;
        }
        if (Peek() is < '0' or > '9')
        {
            return Fail($"Invalid sequence set: expected a number or '*', found {Describe()}");
        }
        if (!ReadNumber("a sequence number", out value))
        {
            return false;
        }
        return value != 0 || Fail("Invalid sequence set: 0 is not a valid message number");
    }

    /// <summary>date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year.</summary>
    public bool ReadDate(out DateOnly date)
    {
        date = default;
        bool quoted = TryConsume((byte)'"');
        var dayDigits = ReadWhile(static b => b is >= (byte)'0' and <= (byte)'9');
        if (dayDigits.Length is < 1 or > 2 || !TryConsume((byte)'-') || !ReadMonth(out int month) || !TryConsume((byte)'-'))
        {
            return Fail("Invalid date (expected d-Mon-yyyy)");
        }
        var yearDigits = ReadWhile(static b => b is >= (byte)'0' and <= (byte)'9');
        if (yearDigits.Length != 4 || (quoted && !TryConsume((byte)'"')))
        {
            return Fail("Invalid date (expected d-Mon-yyyy)");
        }
        int day = int.Parse(dayDigits, provider: null);
        int year = int.Parse(yearDigits, provider: null);
        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Fail("Invalid date: no such day");
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE.</summary>
    public bool ReadDateTime(out DateTimeOffset value)
    {
        value = default;
        const string bad = "Invalid date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")";
        if (!TryConsume((byte)'"'))
        {
            return Fail(bad);
        }
        var rest = Line.AsSpan(_pos);
        // dd-Mon-yyyy hh:mm:ss +zzzz" is 27 octets; the day may be " d".
        if (rest.Length < 27 || rest[2] != '-' || rest[6] != '-' || rest[11] != ' ' || rest[14] != ':' || rest[17] != ':'
            || rest[20] != ' ' || rest[21] is not ((byte)'+' or (byte)'-') || rest[26] != '"')
        {
            return Fail(bad);
        }
        int day = rest[0] == ' ' ? Digits(rest.Slice(1, 1)) : Digits(rest[..2]);
        int month = MonthIndex(rest.Slice(3, 3));
        int year = Digits(rest.Slice(7, 4));
        int hour = Digits(rest.Slice(12, 2));
        int minute = Digits(rest.Slice(15, 2));
        int second = Digits(rest.Slice(18, 2));
        int zone = Digits(rest.Slice(22, 4));
        if (day < 1 || month < 1 || year < 1 || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 60 || zone < 0
            || zone % 100 > 59 || day > DateTime.DaysInMonth(year, month))
        {
            return Fail(bad);
        }
        var offset = new TimeSpan(zone / 100, zone % 100, 0);
        if (offset > TimeSpan.FromHours(14))
        {
            return Fail(bad);
        }
        if (rest[21] == '-')
        {
            offset = -offset;
        }
        // A leap second (":60") is folded into the next minute's start rather than rejected.
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), offset);
        _pos += 27;
        return true;
    }

    private bool ReadMonth(out int month)
    {
        var rest = Line.AsSpan(_pos);
        month = rest.Length >= 3 ? MonthIndex(rest[..3]) : -1;
        if (month < 1)
        {
            return false;
        }
        _pos += 3;
        return true;
    }

    private static int MonthIndex(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < s_months.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(name, s_months[i]))
            {
                return i + 1;
            }
        }
        return -1;
    }

    private static int Digits(ReadOnlySpan<byte> span)
    {
        int value = 0;
        foreach (byte b in span)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }
            value = (value * 10) + (b - '0');
        }
        return value;
    }

    private static string Capitalize(string what) => what.Length == 0 ? what : char.ToUpperInvariant(what[0]) + what[1..];
}
