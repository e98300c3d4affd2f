using System.Text;

namespace Letterbox.Net.Auth;

/// <summary>
/// What a password SASL mechanism yields: the login (authentication identity), the password and
/// the authorisation identity the client asked to act as (empty: itself).
/// </summary>
public sealed record SaslCredentials(string Login, string Password, string AuthorizationId = "")
{
    /// <summary>
    /// True when the client asks to act as someone other than <see cref="Login"/> (RFC 4616 §2 authzid).
    /// Letterbox offers no proxy authorisation, so a session refuses such a request.
    /// </summary>
    public bool RequestsOtherIdentity => AuthorizationId.Length > 0 && !AuthorizationId.Equals(Login, StringComparison.OrdinalIgnoreCase);

    /// <summary>Never prints the password (logs, test failures).</summary>
    public override string ToString() => $"SaslCredentials {{ Login = {Login}, AuthorizationId = {AuthorizationId} }}";
}

/// <summary>The base64 text a client sends in a SASL exchange (RFC 4422 §3; IMAP, POP3 and SMTP share it).</summary>
public static class SaslResponse
{
    /// <summary>The line a client sends to abandon an exchange (RFC 9051 §6.2.2, RFC 5034 §4, RFC 4954 §4).</summary>
    public const string Cancel = "*";

    /// <summary>
    /// Decodes one client response. "=" is an empty initial response (RFC 4959 §3, RFC 5034 §4);
    /// anything that is not strict base64 is refused (false).
    /// </summary>
    public static bool TryDecode(string text, out byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = [];
        if (text == "=")
        {
            return true;
        }
        if (text.Length % 4 != 0)
        {
            return false;
        }
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }
        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    /// <summary>Decodes a response that carries UTF-8 text (LOGIN's user name and password).</summary>
    public static bool TryDecodeText(string text, out string value)
    {
        value = "";
        if (!TryDecode(text, out var bytes))
        {
            return false;
        }
        try
        {
            value = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
