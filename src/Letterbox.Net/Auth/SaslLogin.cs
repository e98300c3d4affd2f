namespace Letterbox.Net.Auth;

/// <summary>
/// The LOGIN mechanism (draft-murchison-sasl-login-00): the server asks "Username:" then
/// "Password:", the client answers each with base64 text. Not a standard, but Outlook and
/// many older clients offer nothing else.
/// </summary>
public static class SaslLogin
{
    public const string Name = "LOGIN";

    /// <summary>base64("Username:"), draft-murchison-sasl-login-00 §2.</summary>
    public const string UsernameChallenge = "VXNlcm5hbWU6";

    /// <summary>base64("Password:").</summary>
    public const string PasswordChallenge = "UGFzc3dvcmQ6";
}
