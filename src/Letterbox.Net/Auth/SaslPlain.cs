namespace Letterbox.Net.Auth;

/// <summary>The PLAIN mechanism's message (RFC 4616 §2): <c>[authzid] UTF8NUL authcid UTF8NUL passwd</c>.</summary>
public static class SaslPlain
{
    public const string Name = "PLAIN";

    /// <summary>
    /// Splits a decoded PLAIN message. False (with a reason fit for the client) when it does not have
    /// exactly three NUL-separated fields, the authcid or password is empty, or it is not UTF-8
    /// (RFC 4616 §2: each field is UTF-8 of 1 to 255 octets, authzid may be empty).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SaslCredentials credentials, out string error)
    {
        credentials = new SaslCredentials("", "");
        var first = message.IndexOf((byte)0);
        var second = first < 0 ? -1 : message[(first + 1)..].IndexOf((byte)0);
        if (first < 0 || second < 0 || message[(first + 1 + second + 1)..].Contains((byte)0))
        {
            error = "PLAIN response must be authzid NUL login NUL password";
            return false;
        }
        var authzid = message[..first];
        var authcid = message.Slice(first + 1, second);
        var password = message[(first + 1 + second + 1)..];
        if (authcid.IsEmpty || password.IsEmpty)
        {
            error = "PLAIN response has an empty login or password";
            return false;
        }
        try
        {
            credentials = new SaslCredentials(
                SaslResponse.StrictUtf8.GetString(authcid),
                SaslResponse.StrictUtf8.GetString(password),
                SaslResponse.StrictUtf8.GetString(authzid));
        }
        catch (System.Text.DecoderFallbackException)
        {
            error = "PLAIN response is not UTF-8";
            return false;
        }
        error = "";
        return true;
    }
}
