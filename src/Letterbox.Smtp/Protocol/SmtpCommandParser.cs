using System.Buffers;
using System.Globalization;
using System.Text;

namespace Letterbox.Smtp.Protocol;

/// <summary>
/// Parses one command line (without its CRLF) into an <see cref="SmtpCommand"/>. Pure: no I/O.
/// A client mistake is an <see cref="SmtpReply"/> (500/501/555), never an exception.
/// </summary>
public static class SmtpCommandParser
{
    private static readonly Dictionary<string, SmtpVerb> Verbs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HELO"] = SmtpVerb.Helo,
        ["EHLO"] = SmtpVerb.Ehlo,
        ["LHLO"] = SmtpVerb.Lhlo,
        ["MAIL"] = SmtpVerb.Mail,
        ["RCPT"] = SmtpVerb.Rcpt,
        ["DATA"] = SmtpVerb.Data,
        ["RSET"] = SmtpVerb.Rset,
        ["NOOP"] = SmtpVerb.Noop,
        ["QUIT"] = SmtpVerb.Quit,
        ["VRFY"] = SmtpVerb.Vrfy,
        ["EXPN"] = SmtpVerb.Expn,
        ["HELP"] = SmtpVerb.Help,
        ["STARTTLS"] = SmtpVerb.StartTls,
        ["BDAT"] = SmtpVerb.Bdat,
    };

    /// <summary>RFC 3030 §2: chunk-size is 1*DIGIT; 18 digits keep it inside a long.</summary>
    private const int MaxChunkSizeDigits = 18;
    /// <summary>RFC 3461 §4.4: ENVID is at most 100 characters.</summary>
    private const int MaxEnvelopeId = 100;
    /// <summary>RFC 3461 §4.2: ORCPT is at most 500 characters.</summary>
    private const int MaxOriginalRecipient = 500;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static string Keyword(SmtpVerb verb) => verb.ToString().ToUpperInvariant();

    public static SmtpParseResult Parse(ReadOnlySequence<byte> line) => Parse(line.IsSingleSegment ? line.FirstSpan : line.ToArray());

    public static SmtpParseResult Parse(ReadOnlySpan<byte> line)
    {
        string text;
        try
        {
            // RFC 6531 §3.3: UTF-8 is allowed in addresses; anything that is not UTF-8 is a syntax error.
            text = StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            return Syntax("Invalid UTF-8 in command");
        }
        if (text.AsSpan().ContainsAny('\0', '\r', '\n'))
        {
            return Syntax("Invalid character in command");
        }
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var keyword = space < 0 ? text : text[..space];
        var rest = space < 0 ? "" : text[(space + 1)..].Trim(' ');
        if (!Verbs.TryGetValue(keyword, out var verb))
        {
            return SmtpParseResult.Fail(SmtpReply.UnknownCommand);
        }
        return verb switch
        {
            SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Lhlo => ParseHello(verb, rest),
            SmtpVerb.Mail => ParseMail(rest),
            SmtpVerb.Rcpt => ParseRcpt(rest),
            SmtpVerb.Bdat => ParseBdat(rest),
            SmtpVerb.Data or SmtpVerb.Rset or SmtpVerb.Quit or SmtpVerb.StartTls => rest.Length == 0
                ? SmtpParseResult.Ok(new SmtpCommand(verb, ""))
                : Syntax($"{Keyword(verb)} takes no argument"),
            SmtpVerb.Vrfy or SmtpVerb.Expn => rest.Length == 0
                ? Syntax($"{Keyword(verb)} needs an argument")
                : SmtpParseResult.Ok(new SmtpCommand(verb, rest)),
            _ => SmtpParseResult.Ok(new SmtpCommand(verb, rest)),
        };
    }

    // RFC 5321 §4.1.1.1: "EHLO" SP ( Domain / address-literal ).
    private static SmtpParseResult ParseHello(SmtpVerb verb, string rest)
    {
        if (rest.Length == 0 || rest.Contains(' ', StringComparison.Ordinal))
        {
            return Syntax($"{Keyword(verb)} needs one domain or address literal");
        }
        return SmtpParseResult.Ok(new SmtpCommand(verb, rest));
    }

    // RFC 5321 §4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters].
    private static SmtpParseResult ParseMail(string rest)
    {
        if (!TryTakePrefix(rest, "FROM:", out var afterColon))
        {
            return Syntax("Syntax: MAIL FROM:<address>");
        }
        if (!TryParsePath(afterColon, allowEmpty: true, out var mailbox, out var parameters, out var error))
        {
            return SmtpParseResult.Fail(error!);
        }
        var command = new SmtpCommand(SmtpVerb.Mail, mailbox);
        foreach (var (name, value) in parameters)
        {
            switch (name.ToUpperInvariant())
            {
                case "SIZE" when value is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size):
                    command = command with { DeclaredSize = size };
                    break;
                case "BODY" when string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase):
                    command = command with { Body = SmtpBody.SevenBit };
                    break;
                case "BODY" when string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase):
                    command = command with { Body = SmtpBody.EightBitMime };
                    break;
                case "BODY" when string.Equals(value, "BINARYMIME", StringComparison.OrdinalIgnoreCase):
                    command = command with { Body = SmtpBody.BinaryMime };
                    break;
                case "SMTPUTF8" when value is null:
                    command = command with { SmtpUtf8 = true };
                    break;
                // RFC 3461 §4.3: RET=FULL / RET=HDRS, once.
                case "RET" when command.Return is null && string.Equals(value, "FULL", StringComparison.OrdinalIgnoreCase):
                    command = command with { Return = DsnReturn.Full };
                    break;
                case "RET" when command.Return is null && string.Equals(value, "HDRS", StringComparison.OrdinalIgnoreCase):
                    command = command with { Return = DsnReturn.Headers };
                    break;
                // RFC 3461 §4.4: ENVID=xtext, once, at most 100 characters.
                case "ENVID" when command.EnvelopeId is null && value is { Length: > 0 and <= MaxEnvelopeId } && IsXtext(value):
                    command = command with { EnvelopeId = value };
                    break;
                case "RET" or "ENVID" or "SIZE" or "BODY" or "SMTPUTF8":
                    return Syntax($"Bad {name.ToUpperInvariant()} parameter");
                default:
                    return Unrecognized(name);
            }
        }
        return SmtpParseResult.Ok(command);
    }

    // RFC 5321 §4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters].
    private static SmtpParseResult ParseRcpt(string rest)
    {
        if (!TryTakePrefix(rest, "TO:", out var afterColon))
        {
            return Syntax("Syntax: RCPT TO:<address>");
        }
        if (!TryParsePath(afterColon, allowEmpty: false, out var mailbox, out var parameters, out var error))
        {
            return SmtpParseResult.Fail(error!);
        }
        var command = new SmtpCommand(SmtpVerb.Rcpt, mailbox);
        foreach (var (name, value) in parameters)
        {
            switch (name.ToUpperInvariant())
            {
                case "NOTIFY" when command.Notify == DsnNotify.None && TryParseNotify(value, out var notify):
                    command = command with { Notify = notify };
                    break;
                case "ORCPT" when command.OriginalRecipient is null && value is { Length: <= MaxOriginalRecipient } && IsOriginalRecipient(value):
                    command = command with { OriginalRecipient = value };
                    break;
                case "NOTIFY" or "ORCPT":
                    return Syntax($"Bad {name.ToUpperInvariant()} parameter");
                default:
                    return Unrecognized(name);
            }
        }
        return SmtpParseResult.Ok(command);
    }

    // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF; end-marker = "LAST".
    private static SmtpParseResult ParseBdat(string rest)
    {
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var last = words.Length == 2 && string.Equals(words[1], "LAST", StringComparison.OrdinalIgnoreCase);
        if (words.Length is < 1 or > 2 || (words.Length == 2 && !last)
            || words[0].Length > MaxChunkSizeDigits || !words[0].All(char.IsAsciiDigit))
        {
            return SmtpParseResult.Fail(new SmtpReply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]")) with { LostSync = true };
        }
        var size = long.Parse(words[0], NumberStyles.None, CultureInfo.InvariantCulture);
        return SmtpParseResult.Ok(new SmtpCommand(SmtpVerb.Bdat, "") { ChunkSize = size, LastChunk = last });
    }

    // RFC 3461 §4.1: "NOTIFY=" ( "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ) ).
    private static bool TryParseNotify(string? value, out DsnNotify notify)
    {
        notify = DsnNotify.None;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        foreach (var word in value.Split(','))
        {
            var flag = word.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => DsnNotify.None,
            };
            if (flag == DsnNotify.None || (notify & flag) != 0)
            {
                return false;
            }
            notify |= flag;
        }
        return notify == DsnNotify.Never || (notify & DsnNotify.Never) == 0;
    }

    // RFC 3461 §4.2: original-recipient-address = addr-type ";" xtext; addr-type is an atom (RFC 5322).
    private static bool IsOriginalRecipient(string value)
    {
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon <= 0 || semicolon == value.Length - 1)
        {
            return false;
        }
        var type = value.AsSpan(0, semicolon);
        foreach (var c in type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return IsXtext(value[(semicolon + 1)..]);
    }

    /// <summary>RFC 3461 §4: xtext = *( xchar / hexchar ); xchar is "!".."~" but "+" and "="; hexchar is "+" and two upper-case hex digits.</summary>
    public static bool IsXtext(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length || !IsUpperHex(value[i + 1]) || !IsUpperHex(value[i + 2]))
                {
                    return false;
                }
                i += 2;
            }
            else if (c is < '!' or > '~' or '=')
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsUpperHex(char c) => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F';

    private static bool TryTakePrefix(string rest, string prefix, out string after)
    {
        after = "";
        if (!rest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Many clients write "MAIL FROM: <a@b>"; Postfix and Exim accept the space, and so do we.
        after = rest[prefix.Length..].TrimStart(' ');
        return true;
    }

    /// <summary>Reads "&lt;path&gt;" and the space-separated esmtp-params after it (RFC 5321 §4.1.2).</summary>
    private static bool TryParsePath(string text, bool allowEmpty, out string mailbox, out List<(string Name, string? Value)> parameters, out SmtpReply? error)
    {
        mailbox = "";
        parameters = [];
        error = null;
        if (!text.StartsWith('<'))
        {
            error = new SmtpReply(501, "5.1.7", "Address must be in angle brackets");
            return false;
        }
        var close = FindClosingBracket(text);
        if (close < 0)
        {
            error = new SmtpReply(501, "5.1.7", "Missing closing angle bracket");
            return false;
        }
        var path = text[1..close];
        // RFC 5321 §4.1.2 / Appendix C: a source route "@a,@b:" is accepted and ignored.
        if (path.StartsWith('@'))
        {
            var colon = path.IndexOf(':', StringComparison.Ordinal);
            path = colon < 0 ? path : path[(colon + 1)..];
        }
        if (path.Length == 0)
        {
            if (!allowEmpty)
            {
                error = new SmtpReply(501, "5.1.3", "Empty recipient address");
                return false;
            }
        }
        else if (!IsMailbox(path))
        {
            error = new SmtpReply(501, allowEmpty ? "5.1.7" : "5.1.3", "Bad address syntax");
            return false;
        }
        mailbox = path;
        foreach (var word in text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            parameters.Add(equals < 0 ? (word, null) : (word[..equals], word[(equals + 1)..]));
        }
        return true;
    }

    private static int FindClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '>' when !quoted:
                    return i;
            }
        }
        return -1;
    }

    // RFC 5321 §4.1.2: Mailbox = Local-part "@" ( Domain / address-literal ); the postmaster form without a domain is allowed for RCPT.
    private static bool IsMailbox(string path)
    {
        if (string.Equals(path, "postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var at = path.LastIndexOf('@');
        if (at <= 0 || at == path.Length - 1 || path.Length > 256)
        {
            return false;
        }
        foreach (var c in path)
        {
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
            {
                if (!(c == ' ' && path.StartsWith('"')))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static SmtpParseResult Syntax(string text) => SmtpParseResult.Fail(new SmtpReply(501, "5.5.4", text));

    private static SmtpParseResult Unrecognized(string name) => SmtpParseResult.Fail(new SmtpReply(555, "5.5.4", $"Unsupported parameter {name}"));
}
