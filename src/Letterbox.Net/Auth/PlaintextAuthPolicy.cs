using Letterbox.Core.Options;

namespace Letterbox.Net.Auth;

/// <summary>
/// Whether a password may be sent on a connection (IMAP LOGIN / AUTHENTICATE PLAIN, POP3 USER/PASS
/// and AUTH PLAIN, SMTP AUTH). RFC 8314 §3 and RFC 2595 §2.2: clear-text passwords only under TLS,
/// unless the admin allows it on loopback (the default; local tools and tests) or everywhere.
/// </summary>
public static class PlaintextAuthPolicy
{
    /// <summary>The reason given to a client refused by this policy, to append after the protocol's code.</summary>
    public const string RefusalReason = "plaintext authentication is refused on an unencrypted connection";

    public static bool Allows(AuthOptions options, bool isTls, bool isLoopback)
    {
        ArgumentNullException.ThrowIfNull(options);
        return isTls || options.AllowPlaintextWithoutTls || (isLoopback && options.AllowPlaintextOnLoopback);
    }

    public static bool Allows(AuthOptions options, ClientConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Allows(options, connection.IsTls, connection.IsLoopback);
    }
}
