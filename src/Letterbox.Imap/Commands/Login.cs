using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Net.Auth;

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
        return await Authentication.CheckAsync(session, new SaslCredentials(login.UserName, login.Password), ct).ConfigureAwait(false);
    }
}

/// <summary>Password checking shared by LOGIN and AUTHENTICATE: the shared throttle's delay, limit, then BYE.</summary>
internal static class Authentication
{
    public static async Task<CommandResult> CheckAsync(ImapSession session, SaslCredentials credentials, CancellationToken ct)
    {
        if (credentials.RequestsOtherIdentity)
        {
            // Acting as another user (proxy authorisation) is not offered; it counts as a failed login.
            await session.LoginFailedAsync(credentials, ct).ConfigureAwait(false);
            return CommandResult.No("Authorisation identity not permitted", "AUTHORIZATIONFAILED");
        }
        var record = await session.Authenticator.AuthenticateAsync(credentials.Login, credentials.Password, ct).ConfigureAwait(false);
        if (record is null)
        {
            await session.LoginFailedAsync(credentials, ct).ConfigureAwait(false);
            return CommandResult.No("Invalid credentials", "AUTHENTICATIONFAILED");
        }
        return await session.LoggedInAsync(record, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// AUTHENTICATE (RFC 9051 §6.2.2) with the shared SASL mechanisms (<see cref="SaslExchange"/>: PLAIN,
/// LOGIN), SASL-IR initial responses (RFC 4959); "*" cancels.
/// </summary>
internal static class AuthenticateCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var auth = (AuthenticateCommand)command;
        var exchange = SaslExchange.Create(auth.Mechanism);
        if (exchange is null)
        {
            return CommandResult.No("Unsupported authentication mechanism", "CANNOT");
        }
        if (!session.PlaintextAuthAllowed)
        {
            return CommandResult.No("Plaintext authentication is refused without TLS; use STARTTLS or port 993", "PRIVACYREQUIRED");
        }
        // The parser gives "" for the empty initial response "=" (RFC 4959 §3).
        var step = exchange.Start(auth.InitialResponse is "" ? "=" : auth.InitialResponse);
        while (step.Kind == SaslStepKind.Challenge)
        {
            session.Output.Raw("+ "u8).Text(step.Challenge).Crlf();
            await session.Output.FlushAsync(ct).ConfigureAwait(false);
            var line = await session.ReadContinuationAsync(ct).ConfigureAwait(false);
            // A line past the limit or a closed connection ends the exchange like a cancel.
            step = line is null ? SaslStep.Cancelled : exchange.Respond(line);
        }
        return step.Kind switch
        {
            SaslStepKind.Cancelled => CommandResult.Bad("AUTHENTICATE cancelled"),
            SaslStepKind.Malformed => CommandResult.Bad(step.Error),
            _ => await Authentication.CheckAsync(session, step.Credentials!, ct).ConfigureAwait(false),
        };
    }
}
