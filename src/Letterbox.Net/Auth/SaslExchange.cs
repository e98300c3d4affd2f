namespace Letterbox.Net.Auth;

/// <summary>What the server does next in a SASL exchange.</summary>
public enum SaslStepKind
{
    /// <summary>Send <see cref="SaslStep.Challenge"/> (base64, may be empty) and feed the client's answer to <see cref="SaslExchange.Respond"/>.</summary>
    Challenge,
    /// <summary>The exchange produced <see cref="SaslStep.Credentials"/>; check them.</summary>
    Credentials,
    /// <summary>The client sent "*" (RFC 4422 §3.5 abort).</summary>
    Cancelled,
    /// <summary>The client's answer was not valid for the mechanism; <see cref="SaslStep.Error"/> says why.</summary>
    Malformed,
}

/// <summary>One step of a SASL exchange.</summary>
public readonly record struct SaslStep(SaslStepKind Kind, string Challenge = "", SaslCredentials? Credentials = null, string Error = "")
{
    public static SaslStep Ask(string challenge) => new(SaslStepKind.Challenge, Challenge: challenge);
    public static SaslStep Done(SaslCredentials credentials) => new(SaslStepKind.Credentials, Credentials: credentials);
    public static SaslStep Bad(string error) => new(SaslStepKind.Malformed, Error: error);
    public static readonly SaslStep Cancelled = new(SaslStepKind.Cancelled);
}

/// <summary>
/// The server side of a password SASL mechanism, independent of the protocol that carries it
/// (IMAP AUTHENTICATE, POP3 AUTH, SMTP AUTH): the protocol sends the challenges in its own
/// syntax ("+ ..." lines, "334 ...") and passes back each client line. Pure: no I/O.
/// </summary>
public abstract class SaslExchange
{
    /// <summary>The mechanisms Letterbox offers, in the order to advertise them.</summary>
    public static IReadOnlyList<string> Mechanisms { get; } = [SaslPlain.Name, SaslLogin.Name];

    /// <summary>A fresh exchange for <paramref name="mechanism"/> (any case), or null when it is not offered.</summary>
    public static SaslExchange? Create(string mechanism) => mechanism.ToUpperInvariant() switch
    {
        SaslPlain.Name => new PlainExchange(),
        SaslLogin.Name => new LoginExchange(),
        _ => null,
    };

    /// <summary>
    /// Starts the exchange, with the initial response when the command carried one (RFC 4959,
    /// RFC 5034 §4, RFC 4954 §4; "=" is an empty one) or null when it did not.
    /// </summary>
    public SaslStep Start(string? initialResponse)
        => initialResponse is null ? First() : Respond(initialResponse);

    /// <summary>Feeds one client line (base64, or "*" to cancel).</summary>
    public SaslStep Respond(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line == SaslResponse.Cancel)
        {
            return SaslStep.Cancelled;
        }
        if (!SaslResponse.TryDecode(line, out var bytes))
        {
            return SaslStep.Bad("invalid base64 in SASL response");
        }
        return Next(bytes);
    }

    /// <summary>The server's first challenge when the client sent no initial response.</summary>
    protected abstract SaslStep First();

    /// <summary>Consumes one decoded client response.</summary>
    protected abstract SaslStep Next(byte[] response);

    /// <summary>RFC 4616: one message, after an empty challenge when there was no initial response.</summary>
    private sealed class PlainExchange : SaslExchange
    {
        protected override SaslStep First() => SaslStep.Ask("");

        protected override SaslStep Next(byte[] response)
            => SaslPlain.TryParse(response, out var credentials, out var error) ? SaslStep.Done(credentials) : SaslStep.Bad(error);
    }

    /// <summary>draft-murchison-sasl-login: user name (possibly as the initial response), then password.</summary>
    private sealed class LoginExchange : SaslExchange
    {
        private string? _login;

        protected override SaslStep First() => SaslStep.Ask(SaslLogin.UsernameChallenge);

        protected override SaslStep Next(byte[] response)
        {
            string text;
            try
            {
                text = SaslResponse.StrictUtf8.GetString(response);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return SaslStep.Bad("LOGIN response is not UTF-8");
            }
            if (_login is null)
            {
                if (text.Length == 0)
                {
                    // An empty initial response ("=") carries no user name: ask for it.
                    return SaslStep.Ask(SaslLogin.UsernameChallenge);
                }
                _login = text;
                return SaslStep.Ask(SaslLogin.PasswordChallenge);
            }
            return text.Length == 0 ? SaslStep.Bad("LOGIN password is empty") : SaslStep.Done(new SaslCredentials(_login, text));
        }
    }
}
