using System.Text;
using Letterbox.Core.Options;
using Letterbox.Net.Auth;

namespace Letterbox.Tests.NetAuth;

/// <summary>The SASL, plaintext-policy and throttle components every protocol shares.</summary>
public class SharedAuthTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("\0alice@example.org\0secret pw", "alice@example.org", "secret pw", "")]
    [InlineData("alice@example.org\0alice@example.org\0pw", "alice@example.org", "pw", "alice@example.org")]
    [InlineData("\0jöran@exämple.org\0pässwörd", "jöran@exämple.org", "pässwörd", "")]
    public void Plain_splits_the_three_fields(string message, string login, string password, string authzid)
    {
        Assert.True(SaslPlain.TryParse(Encoding.UTF8.GetBytes(message), out var c, out var error), error);
        Assert.Equal(new SaslCredentials(login, password, authzid), c);
        Assert.False(c.RequestsOtherIdentity);
    }

    [Theory]
    [InlineData("alice\0pw")]
    [InlineData("\0\0pw")]
    [InlineData("\0alice\0")]
    [InlineData("\0alice\0pw\0extra")]
    [InlineData("")]
    public void Plain_refuses_malformed_messages(string message)
    {
        Assert.False(SaslPlain.TryParse(Encoding.UTF8.GetBytes(message), out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Plain_refuses_invalid_utf8_and_flags_other_identities()
    {
        Assert.False(SaslPlain.TryParse([0, (byte)'a', 0xFF, 0, (byte)'p'], out _, out _));
        Assert.True(SaslPlain.TryParse(Encoding.UTF8.GetBytes("bob@x.org\0alice@x.org\0pw"), out var c, out _));
        Assert.True(c.RequestsOtherIdentity);
        Assert.DoesNotContain("pw", c.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_exchange_with_and_without_initial_response()
    {
        var withIr = SaslExchange.Create("plain")!.Start(B64("\0alice@x.org\0pw"));
        Assert.Equal(SaslStepKind.Credentials, withIr.Kind);
        Assert.Equal("alice@x.org", withIr.Credentials!.Login);

        var exchange = SaslExchange.Create("PLAIN")!;
        var first = exchange.Start(null);
        Assert.Equal(SaslStepKind.Challenge, first.Kind);
        Assert.Equal("", first.Challenge);
        var done = exchange.Respond(B64("\0alice@x.org\0pw"));
        Assert.Equal("pw", done.Credentials!.Password);
    }

    [Fact]
    public void Login_exchange_asks_username_then_password()
    {
        var exchange = SaslExchange.Create("LOGIN")!;
        Assert.Equal(SaslLogin.UsernameChallenge, exchange.Start(null).Challenge);
        Assert.Equal("Username:", Encoding.ASCII.GetString(Convert.FromBase64String(SaslLogin.UsernameChallenge)));
        Assert.Equal(SaslLogin.PasswordChallenge, exchange.Respond(B64("alice@x.org")).Challenge);
        Assert.Equal("Password:", Encoding.ASCII.GetString(Convert.FromBase64String(SaslLogin.PasswordChallenge)));
        var done = exchange.Respond(B64("pass word"));
        Assert.Equal(new SaslCredentials("alice@x.org", "pass word"), done.Credentials);

        var withIr = SaslExchange.Create("login")!;
        Assert.Equal(SaslLogin.PasswordChallenge, withIr.Start(B64("alice@x.org")).Challenge);
        Assert.Equal(SaslStepKind.Credentials, withIr.Respond(B64("pw")).Kind);

        var emptyIr = SaslExchange.Create("LOGIN")!;
        Assert.Equal(SaslLogin.UsernameChallenge, emptyIr.Start("=").Challenge);
    }

    [Fact]
    public void Exchanges_cancel_on_star_and_refuse_bad_base64()
    {
        Assert.Equal(SaslStepKind.Cancelled, SaslExchange.Create("PLAIN")!.Start("*").Kind);
        Assert.Equal(SaslStepKind.Cancelled, SaslExchange.Create("LOGIN")!.Respond("*").Kind);
        Assert.Equal(SaslStepKind.Malformed, SaslExchange.Create("PLAIN")!.Start("not base64!").Kind);
        Assert.Equal(SaslStepKind.Malformed, SaslExchange.Create("PLAIN")!.Start("YWJj=").Kind);
        Assert.Equal(SaslStepKind.Malformed, SaslExchange.Create("PLAIN")!.Start("=").Kind);
        Assert.Null(SaslExchange.Create("CRAM-MD5"));
        Assert.Equal(["PLAIN", "LOGIN"], SaslExchange.Mechanisms);
    }

    [Fact]
    public void Response_decoding_is_strict()
    {
        Assert.True(SaslResponse.TryDecode("=", out var empty));
        Assert.Empty(empty);
        Assert.True(SaslResponse.TryDecodeText("aMOp", out var text));
        Assert.Equal("hé", text);
        Assert.False(SaslResponse.TryDecodeText("/w==", out _));
        Assert.False(SaslResponse.TryDecode("abc", out _));
        Assert.False(SaslResponse.TryDecode("ab c", out _));
    }

    [Theory]
    [InlineData(false, false, true, false, false)]
    [InlineData(true, false, false, false, true)]
    [InlineData(false, true, true, false, true)]
    [InlineData(false, true, false, false, false)]
    [InlineData(false, false, false, true, true)]
    [InlineData(false, true, false, true, true)]
    public void Plaintext_policy(bool tls, bool loopback, bool allowOnLoopback, bool allowEverywhere, bool expected)
    {
        var options = new AuthOptions { AllowPlaintextOnLoopback = allowOnLoopback, AllowPlaintextWithoutTls = allowEverywhere };
        Assert.Equal(expected, PlaintextAuthPolicy.Allows(options, tls, loopback));
    }

    [Fact]
    public void Throttle_doubles_the_delay_and_disconnects_at_the_limit()
    {
        var throttle = new LoginThrottle(new AuthOptions { FailedLoginDelayMs = 1000, MaxFailedLogins = 3 });
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(1), false), throttle.RecordFailure());
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(2), false), throttle.RecordFailure());
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(4), true), throttle.RecordFailure());
        Assert.Equal(3, throttle.Failures);
    }

    [Fact]
    public void Throttle_caps_the_delay_and_accepts_zero()
    {
        var throttle = new LoginThrottle(TimeSpan.FromSeconds(5), 100);
        LoginFailure last = default;
        for (var i = 0; i < 80; i++)
        {
            last = throttle.RecordFailure();
            Assert.True(last.Delay <= LoginThrottle.MaxDelay);
        }
        Assert.Equal(LoginThrottle.MaxDelay, last.Delay);
        Assert.False(last.Disconnect);
        var none = new LoginThrottle(new AuthOptions { FailedLoginDelayMs = 0, MaxFailedLogins = 1 });
        Assert.Equal(new LoginFailure(TimeSpan.Zero, true), none.RecordFailure());
    }

    [Fact]
    public void Throttle_counts_a_repeat_of_the_previous_credentials_once_and_does_not_delay_it()
    {
        var throttle = new LoginThrottle(new AuthOptions { FailedLoginDelayMs = 1000, MaxFailedLogins = 3 });
        // MailKit: AUTHENTICATE PLAIN, AUTHENTICATE LOGIN, LOGIN, all with the same typo.
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(1), false), throttle.RecordFailure("alice@example.com", "tpyo"));
        Assert.Equal(new LoginFailure(TimeSpan.Zero, false), throttle.RecordFailure("alice@example.com", "tpyo"));
        Assert.Equal(new LoginFailure(TimeSpan.Zero, false), throttle.RecordFailure("alice@example.com", "tpyo"));
        Assert.Equal(1, throttle.Failures);
        // Another password, another login, or the same password after another: each counts.
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(2), false), throttle.RecordFailure("alice@example.com", "typo"));
        Assert.Equal(new LoginFailure(TimeSpan.FromSeconds(4), true), throttle.RecordFailure("alice@example.com", "tpyo"));
        Assert.Equal(3, throttle.Failures);
    }

    [Fact]
    public void Throttle_tells_apart_logins_and_passwords_that_concatenate_alike()
    {
        var throttle = new LoginThrottle(TimeSpan.Zero, 10);
        throttle.RecordFailure("ab", "c");
        throttle.RecordFailure("a", "bc");
        throttle.RecordFailure("A", "bc");
        Assert.Equal(3, throttle.Failures);
        // A failure with no password to compare (parameterless) is never a repeat, and breaks a run.
        throttle.RecordFailure();
        throttle.RecordFailure("A", "bc");
        Assert.Equal(5, throttle.Failures);
    }
}
