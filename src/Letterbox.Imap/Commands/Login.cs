using System.Text;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>LOGIN (RFC 9051 §6.2.3). Usernames are full addresses.</summary>
internal static class LoginCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var login = (LoginCommand)command;
        if (!session.PlaintextAuthAllowed)
        {
            // RFC 9051 §6.2.3 with LOGINDISABLED; RFC 5530 PRIVACYREQUIRED.
            return CommandResult.No("Plaintext login is refused without TLS; use STARTTLS or port 993", "PRIVACYREQUIRED");
        }
        return await Authentication.CheckAsync(session, login.UserName, login.Password, ct).ConfigureAwait(false);
    }
}

/// <summary>Password checking shared by LOGIN and AUTHENTICATE: growing delay, limit, then BYE.</summary>
internal static class Authentication
{
    public static async Task<CommandResult> CheckAsync(ImapSession session, string user, string password, CancellationToken ct)
    {
        var record = await session.Authenticator.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        if (record is null)
        {
            await session.LoginFailedAsync(user, ct).ConfigureAwait(false);
            return CommandResult.No("Invalid credentials", "AUTHENTICATIONFAILED");
        }
        return await session.LoggedInAsync(record, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// AUTHENTICATE (RFC 9051 §6.2.2) with PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login),
/// SASL-IR initial responses (RFC 4959); "*" cancels.
/// </summary>
internal static class AuthenticateCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var auth = (AuthenticateCommand)command;
        var mechanism = auth.Mechanism.ToUpperInvariant();
        if (mechanism is not ("PLAIN" or "LOGIN"))
        {
            return CommandResult.No("Unsupported authentication mechanism", "CANNOT");
        }
        if (!session.PlaintextAuthAllowed)
        {
            return CommandResult.No("Plaintext authentication is refused without TLS; use STARTTLS or port 993", "PRIVACYREQUIRED");
        }
        if (mechanism == "PLAIN")
        {
            var response = auth.InitialResponse ?? await ChallengeAsync(session, "", ct).ConfigureAwait(false);
            if (response is null)
            {
                return CommandResult.Bad("AUTHENTICATE cancelled");
            }
            if (!TryDecode(response, out var bytes))
            {
                return CommandResult.Bad("Invalid base64 in SASL response");
            }
            // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
            var parts = Encoding.UTF8.GetString(bytes).Split('\0');
            if (parts.Length != 3 || parts[1].Length == 0)
            {
                return CommandResult.Bad("Malformed PLAIN response");
            }
            if (parts[0].Length > 0 && !parts[0].Equals(parts[1], StringComparison.OrdinalIgnoreCase))
            {
                // Acting as another user (proxy authorisation) is not offered.
                await session.LoginFailedAsync(parts[1], ct).ConfigureAwait(false);
                return CommandResult.No("Authorisation identity not permitted", "AUTHORIZATIONFAILED");
            }
            return await Authentication.CheckAsync(session, parts[1], parts[2], ct).ConfigureAwait(false);
        }

        // LOGIN: "Username:" then "Password:" challenges; SASL-IR may carry the user name.
        string? userResponse = auth.InitialResponse;
        if (userResponse is null || userResponse.Length == 0)
        {
            userResponse = await ChallengeAsync(session, "VXNlcm5hbWU6", ct).ConfigureAwait(false);
        }
        if (userResponse is null)
        {
            return CommandResult.Bad("AUTHENTICATE cancelled");
        }
        var passwordResponse = await ChallengeAsync(session, "UGFzc3dvcmQ6", ct).ConfigureAwait(false);
        if (passwordResponse is null)
        {
            return CommandResult.Bad("AUTHENTICATE cancelled");
        }
        if (!TryDecode(userResponse, out var user) || !TryDecode(passwordResponse, out var password))
        {
            return CommandResult.Bad("Invalid base64 in SASL response");
        }
        return await Authentication.CheckAsync(session, Encoding.UTF8.GetString(user), Encoding.UTF8.GetString(password), ct).ConfigureAwait(false);
    }

    /// <summary>Sends "+ challenge" and reads the client's line; null when the client cancels ("*") or leaves.</summary>
    private static async Task<string?> ChallengeAsync(ImapSession session, string challenge, CancellationToken ct)
    {
        session.Output.Raw("+ "u8).Text(challenge).Crlf();
        await session.Output.FlushAsync(ct).ConfigureAwait(false);
        var line = await session.ReadContinuationAsync(ct).ConfigureAwait(false);
        return line is null || line == "*" ? null : line;
    }

    private static bool TryDecode(string base64, out byte[] bytes) => SaslContinuation.TryDecodeInitialResponse(base64, out bytes);
}
