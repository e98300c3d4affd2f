using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Letterbox.Discovery.ErrorCodes;

/// <summary>One error code: the family (smtp-enhanced, imap-response-code, pop3-resp-code, tls-alert), meaning and fix.</summary>
public sealed record ErrorCode(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("meaning")] string Meaning,
    [property: JsonPropertyName("fix")] string Fix,
    [property: JsonPropertyName("reference")] string Reference);

/// <summary>
/// The error codes doctor explains (ErrorCodes/error-codes.json): SMTP enhanced status codes
/// (RFC 3463), IMAP response codes (RFC 5530), POP3 response codes (RFC 2449, RFC 3206) and TLS
/// alerts (RFC 8446 §6). docs/error-codes.md is rendered from it by <see cref="RenderMarkdown"/>.
/// </summary>
public sealed class ErrorCodeTable
{
    private ErrorCodeTable(IReadOnlyList<ErrorCode> codes) => Codes = codes;

    /// <summary>Every code in file order.</summary>
    public IReadOnlyList<ErrorCode> Codes { get; }

    /// <summary>The table shipped with Letterbox.</summary>
    public static ErrorCodeTable Default { get; } = Load();

    /// <summary>
    /// The entry explaining a server reply or TLS alert, or null. Looks for an enhanced status code
    /// ("5.7.8" → X.7.8), a bracketed IMAP/POP3 code ("[AUTHENTICATIONFAILED]", "[IN-USE]").
    /// </summary>
    public ErrorCode? Explain(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var enhanced = System.Text.RegularExpressions.Regex.Match(reply, @"\b[245]\.(\d{1,3})\.(\d{1,3})\b");
        if (enhanced.Success)
        {
            var key = $"X.{enhanced.Groups[1].Value}.{enhanced.Groups[2].Value}";
            return Codes.FirstOrDefault(c => c.Family == "smtp-enhanced" && c.Code == key);
        }
        var bracket = System.Text.RegularExpressions.Regex.Match(reply, @"\[([A-Za-z/\-]+)");
        if (bracket.Success)
        {
            var key = bracket.Groups[1].Value.ToUpperInvariant();
            return Codes.FirstOrDefault(c => c.Family is "imap-response-code" or "pop3-resp-code" && c.Code == key);
        }
        return null;
    }

    /// <summary>The entry for a TLS alert by number (RFC 8446 §6), or null.</summary>
    public ErrorCode? TlsAlert(int number) => Codes.FirstOrDefault(c => c.Family == "tls-alert" && c.Code == number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>docs/error-codes.md, generated: one table per family.</summary>
    public string RenderMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Error codes\n\n");
        text.Append("Generated from `src/Letterbox.Discovery/ErrorCodes/error-codes.json` (the table `letterbox doctor` uses);\n");
        text.Append("a test fails when this page and the file drift apart. Regenerate with\n");
        text.Append("`LETTERBOX_WRITE_DOCS=1 dotnet test tests/Letterbox.Tests --filter ErrorCodeTableTests`.\n");
        foreach (var (family, title) in new[]
        {
            ("smtp-enhanced", "SMTP enhanced status codes (RFC 3463, RFC 4954)"),
            ("imap-response-code", "IMAP response codes (RFC 5530, RFC 9051)"),
            ("pop3-resp-code", "POP3 response codes (RFC 2449, RFC 3206)"),
            ("tls-alert", "TLS alerts (RFC 8446 §6)"),
        })
        {
            text.Append($"\n## {title}\n\n| Code | Name | Meaning | What to do | Reference |\n|---|---|---|---|---|\n");
            foreach (var code in Codes.Where(c => c.Family == family))
            {
                text.Append($"| {code.Code} | {code.Name} | {code.Meaning} | {code.Fix} | {code.Reference} |\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Parses a table in the error-codes.json format.</summary>
    public static ErrorCodeTable Parse(Stream json) =>
        new(JsonSerializer.Deserialize<Document>(json)?.Codes ?? throw new InvalidDataException("error-codes.json is empty."));

    private static ErrorCodeTable Load()
    {
        using var stream = typeof(ErrorCodeTable).Assembly.GetManifestResourceStream("Letterbox.Discovery.error-codes.json")
            ?? throw new InvalidOperationException("The embedded error-code table is missing.");
        return Parse(stream);
    }

    private sealed record Document([property: JsonPropertyName("codes")] IReadOnlyList<ErrorCode> Codes);
}
