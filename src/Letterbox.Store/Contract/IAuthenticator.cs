namespace Letterbox.Store;

/// <summary>
/// Checks a login and password against the directory (Argon2id). Shared by IMAP, POP3 and SMTP AUTH.
/// Takes the same time whether or not the user exists, so it cannot be used to find users.
/// </summary>
public interface IAuthenticator
{
    /// <summary>The user, or null when the login or password is wrong or the user is disabled.</summary>
    Task<UserRecord?> AuthenticateAsync(string login, string password, CancellationToken ct = default);
}
