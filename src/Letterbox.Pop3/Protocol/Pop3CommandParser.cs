using System.Text;

namespace Letterbox.Pop3.Protocol;

/// <summary>
/// Parses one command line (without its CRLF). RFC 1939 §3: a case-insensitive keyword of three or
/// four characters, arguments separated by a single space, each at most 40 characters. Pure; an
/// ordinary client mistake is a <see cref="Pop3ParseResult.Fail"/>, never an exception.
/// </summary>
public static class Pop3CommandParser
{
    /// <summary>RFC 1939 §3: "Each argument may be up to 40 characters long."</summary>
    public const int MaxArgumentLength = 40;

    /// <summary>Message numbers above this are refused as syntax errors (no maildrop has a billion messages).</summary>
    public const int MaxNumber = 999_999_999;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static Pop3ParseResult Parse(ReadOnlySpan<byte> line)
    {
        if (line.Contains((byte)0))
        {
            return Pop3ParseResult.Fail("NUL is not allowed in a command");
        }
        string text;
        try
        {
            // RFC 6856 §2: UTF-8 user names and passwords; everything else is ASCII anyway.
            text = StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            return Pop3ParseResult.Fail("command is not valid UTF-8");
        }
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var keyword = space < 0 ? text : text[..space];
        var rest = space < 0 ? null : text[(space + 1)..];
        if (keyword.Length == 0)
        {
            return Pop3ParseResult.Fail("empty command");
        }
        return keyword.ToUpperInvariant() switch
        {
            "USER" => OneArgument(Pop3Verb.User, rest),
            // Passwords may contain spaces: the whole rest of the line is the password, as
            // RFC 1939 §7 allows ("may" treat spaces as part of the password).
            "PASS" => string.IsNullOrEmpty(rest) ? Pop3ParseResult.Fail("PASS needs a password") : Pop3ParseResult.Ok(new Pop3Command(Pop3Verb.Pass, Argument: rest)),
            "AUTH" => Auth(rest),
            "STLS" => NoArguments(Pop3Verb.Stls, rest),
            "CAPA" => NoArguments(Pop3Verb.Capa, rest),
            "UTF8" => NoArguments(Pop3Verb.Utf8, rest),
            "STAT" => NoArguments(Pop3Verb.Stat, rest),
            "NOOP" => NoArguments(Pop3Verb.Noop, rest),
            "RSET" => NoArguments(Pop3Verb.Rset, rest),
            "QUIT" => NoArguments(Pop3Verb.Quit, rest),
            "LIST" => OptionalMessage(Pop3Verb.List, rest),
            "UIDL" => OptionalMessage(Pop3Verb.Uidl, rest),
            "RETR" => RequiredMessage(Pop3Verb.Retr, rest),
            "DELE" => RequiredMessage(Pop3Verb.Dele, rest),
            "TOP" => Top(rest),
            _ => Pop3ParseResult.Fail("unknown command"),
        };
    }

    private static Pop3ParseResult NoArguments(Pop3Verb verb, string? rest)
        => rest is null ? Pop3ParseResult.Ok(new Pop3Command(verb)) : Pop3ParseResult.Fail($"{Keyword(verb)} takes no arguments");

    private static Pop3ParseResult OneArgument(Pop3Verb verb, string? rest)
    {
        if (string.IsNullOrEmpty(rest) || rest.Contains(' ', StringComparison.Ordinal))
        {
            return Pop3ParseResult.Fail($"{Keyword(verb)} needs exactly one argument");
        }
        // Full email addresses can exceed 40 characters; RFC 2449 §4 lets servers accept longer lines.
        return Pop3ParseResult.Ok(new Pop3Command(verb, Argument: rest));
    }

    private static Pop3ParseResult OptionalMessage(Pop3Verb verb, string? rest)
    {
        if (rest is null)
        {
            return Pop3ParseResult.Ok(new Pop3Command(verb));
        }
        return TryNumber(rest, out var message)
            ? Pop3ParseResult.Ok(new Pop3Command(verb, Message: message))
            : Pop3ParseResult.Fail("invalid message number");
    }

    private static Pop3ParseResult RequiredMessage(Pop3Verb verb, string? rest)
        => rest is null ? Pop3ParseResult.Fail($"{Keyword(verb)} needs a message number") : OptionalMessage(verb, rest);

    /// <summary>RFC 1939 §7: TOP msg n, both required, n non-negative.</summary>
    private static Pop3ParseResult Top(string? rest)
    {
        var parts = rest?.Split(' ');
        if (parts is not { Length: 2 })
        {
            return Pop3ParseResult.Fail("TOP needs a message number and a line count");
        }
        if (!TryNumber(parts[0], out var message))
        {
            return Pop3ParseResult.Fail("invalid message number");
        }
        if (!TryNumber(parts[1], out var lines))
        {
            return Pop3ParseResult.Fail("invalid line count");
        }
        return Pop3ParseResult.Ok(new Pop3Command(Pop3Verb.Top, Message: message, Lines: lines));
    }

    /// <summary>RFC 5034 §4: AUTH mechanism [initial-response]; bare AUTH lists the mechanisms (as Dovecot and fetchmail expect).</summary>
    private static Pop3ParseResult Auth(string? rest)
    {
        if (rest is null)
        {
            return Pop3ParseResult.Ok(new Pop3Command(Pop3Verb.Auth));
        }
        var parts = rest.Split(' ');
        if (parts.Length > 2 || parts[0].Length == 0 || parts[0].Length > MaxArgumentLength || (parts.Length == 2 && parts[1].Length == 0))
        {
            return Pop3ParseResult.Fail("AUTH needs a mechanism and at most one initial response");
        }
        return Pop3ParseResult.Ok(new Pop3Command(Pop3Verb.Auth, Argument: parts[0].ToUpperInvariant(), InitialResponse: parts.Length == 2 ? parts[1] : null));
    }

    /// <summary>Decimal digits only (no sign, no spaces), at most <see cref="MaxNumber"/>. 0 parses; the session refuses it as "no such message".</summary>
    private static bool TryNumber(string text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 9)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return value <= MaxNumber;
    }

    public static string Keyword(Pop3Verb verb) => verb.ToString().ToUpperInvariant();
}
