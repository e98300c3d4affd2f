using Letterbox.Net;
using Letterbox.Net.Auth;
using Letterbox.Pop3.Protocol;
using Letterbox.Store;

namespace Letterbox.Pop3;

/// <summary>The AUTHORIZATION state's commands: USER/PASS (RFC 1939 §7), AUTH (RFC 5034), STLS (RFC 2595 §4), UTF8 (RFC 6856 §2.1).</summary>
internal sealed partial class Pop3Session
{
    private const string PlaintextRefusal = PlaintextAuthPolicy.RefusalReason + "; use STLS or port 995";

    private Flow User(Pop3Command command)
    {
        if (!PlaintextAuthPolicy.Allows(Options.Auth, _connection))
        {
            // RFC 3206 §5 [AUTH], with the reason, so the user learns to turn TLS on.
            Pop3Reply.Err(Output, Pop3ResponseCode.Auth, PlaintextRefusal);
            return Flow.Continue;
        }
        _state = new AuthorizationState(command.Argument);
        // RFC 1939 §7: +OK whether or not the user exists, so USER cannot be used to find users.
        Pop3Reply.Ok(Output, "send PASS");
        return Flow.Continue;
    }

    private async Task<Flow> PassAsync(Pop3Command command)
    {
        if (_state is not AuthorizationState { PendingUser: { } user })
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, "USER first");
            return Flow.Continue;
        }
        _state = new AuthorizationState(null);
        if (!PlaintextAuthPolicy.Allows(Options.Auth, _connection))
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.Auth, PlaintextRefusal);
            return Flow.Continue;
        }
        return await LoginAsync(new SaslCredentials(user, command.Argument!)).ConfigureAwait(false);
    }

    /// <summary>RFC 5034 §4: AUTH mechanism [initial-response]; "+ challenge" lines; "*" cancels.</summary>
    private async Task<Flow> AuthAsync(Pop3Command command)
    {
        if (command.Argument is null)
        {
            // Bare AUTH: the mechanism list, as fetchmail and other pre-CAPA clients probe for it.
            Pop3Reply.Ok(Output, "Supported SASL mechanisms follow");
            foreach (var mechanism in SaslExchange.Mechanisms)
            {
                Pop3Reply.Line(Output, mechanism);
            }
            Pop3Reply.End(Output);
            return Flow.Continue;
        }
        var exchange = SaslExchange.Create(command.Argument);
        if (exchange is null)
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, $"unsupported mechanism; use one of {string.Join(' ', SaslExchange.Mechanisms)}");
            return Flow.Continue;
        }
        if (!PlaintextAuthPolicy.Allows(Options.Auth, _connection))
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.Auth, PlaintextRefusal);
            return Flow.Continue;
        }
        var step = exchange.Start(command.InitialResponse);
        while (step.Kind == SaslStepKind.Challenge)
        {
            Pop3Reply.Challenge(Output, step.Challenge);
            var (status, line) = await ReadLineAsync().ConfigureAwait(false);
            if (status == LineStatus.NeedMore)
            {
                return Flow.Close;
            }
            if (status == LineStatus.TooLong)
            {
                Pop3Reply.Err(Output, Pop3ResponseCode.None, "SASL response too long");
                return Flow.Continue;
            }
            step = exchange.Respond(System.Text.Encoding.ASCII.GetString(line));
        }
        switch (step.Kind)
        {
            case SaslStepKind.Cancelled:
                Pop3Reply.Err(Output, Pop3ResponseCode.None, "authentication cancelled");
                return Flow.Continue;
            case SaslStepKind.Malformed:
                Pop3Reply.Err(Output, Pop3ResponseCode.None, step.Error);
                return Flow.Continue;
        }
        var credentials = step.Credentials!;
        if (credentials.RequestsOtherIdentity)
        {
            // No proxy authorisation: acting as another user counts as a failed login.
            return await FailLoginAsync(credentials, "authorization identity not permitted").ConfigureAwait(false);
        }
        return await LoginAsync(credentials).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the password, then the account's POP3 switch, the maildrop lock and LOGIN-DELAY
    /// (RFC 2449 §8.1: IN-USE and LOGIN-DELAY only after valid credentials), then lists INBOX.
    /// </summary>
    private async Task<Flow> LoginAsync(SaslCredentials credentials)
    {
        var user = await _server.Authenticator.AuthenticateAsync(credentials.Login, credentials.Password, IdleToken).ConfigureAwait(false);
        if (user is null)
        {
            return await FailLoginAsync(credentials, "invalid login or password").ConfigureAwait(false);
        }
        var settings = Options.Pop3.For(user.Address);
        if (settings.Enabled != true)
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.SysPerm, "POP3 access is disabled for this account; use IMAP");
            return Flow.Continue;
        }
        var loginDelay = TimeSpan.FromSeconds(Math.Max(0, Options.Pop3.LoginDelaySeconds));
        switch (_locks.TryAcquire(user.AccountId, loginDelay, out var handle))
        {
            case LockOutcome.InUse:
                Pop3Log.InUse(_log, user.Address, _connection.RemoteEndPoint);
                Pop3Reply.Err(Output, Pop3ResponseCode.InUse, "maildrop is locked by another POP3 session");
                return Flow.Continue;
            case LockOutcome.TooSoon:
                Pop3Reply.Err(Output, Pop3ResponseCode.LoginDelay, $"wait {loginDelay.TotalSeconds:0} seconds between logins");
                return Flow.Continue;
        }
        Maildrop maildrop;
        IMailAccount? account = null;
        try
        {
            account = await _server.Store.OpenAccountAsync(user, IdleToken).ConfigureAwait(false);
            maildrop = await Maildrop.OpenAsync(account, handle!, settings, IdleToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the lock must not outlive this attempt.
            if (account is not null)
            {
                await account.DisposeAsync().ConfigureAwait(false);
            }
            handle!.Dispose();
            if (e is not (MailStoreException or IOException))
            {
                throw;
            }
            Pop3Log.OpenFailed(_log, e, user.Address);
            Pop3Reply.Err(Output, Pop3ResponseCode.SysTemp, "the maildrop cannot be opened now; try again later");
            return Flow.Continue;
        }
        _state = new TransactionState(user, maildrop);
        Pop3Metrics.Session.LoggedIn(_log, user.Address, _connection.RemoteEndPoint);
        Pop3Reply.Ok(Output, $"maildrop has {maildrop.Count} messages ({maildrop.Size} octets)");
        return Flow.Continue;
    }

    /// <summary>The shared throttle's growing delay, then -ERR [AUTH]; the last allowed failure closes the connection.</summary>
    private async Task<Flow> FailLoginAsync(SaslCredentials credentials, string reason)
    {
        var failure = _throttle.RecordFailure(credentials.Login, credentials.Password);
        Pop3Metrics.Session.LoginFailed(_log, credentials.Login, _connection.RemoteEndPoint, _throttle.Failures);
        if (failure.Delay > TimeSpan.Zero)
        {
            await Task.Delay(failure.Delay, _server.Time, IdleToken).ConfigureAwait(false);
        }
        if (failure.Disconnect)
        {
            _end = SessionEnd.TooManyFailedLogins;
            Pop3Reply.Err(Output, Pop3ResponseCode.Auth, reason + "; too many failed logins, closing connection");
            return Flow.Close;
        }
        Pop3Reply.Err(Output, Pop3ResponseCode.Auth, reason);
        return Flow.Continue;
    }

    /// <summary>RFC 2595 §4: "+OK", then the TLS handshake; pipelined plaintext after STLS is discarded by the connection.</summary>
    private async Task<Flow> StlsAsync()
    {
        if (_connection.IsTls)
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, "command not permitted when TLS active");
            return Flow.Continue;
        }
        if (!_connection.CanStartTls)
        {
            Pop3Reply.Err(Output, Pop3ResponseCode.None, "STLS is not available on this port");
            return Flow.Continue;
        }
        Pop3Reply.Ok(Output, "Begin TLS negotiation");
        await Output.FlushAsync(IdleToken).ConfigureAwait(false);
        try
        {
            await _connection.UpgradeToTlsAsync(IdleToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            _end = SessionEnd.TlsFailed;
            return Flow.Close;
        }
        // A fresh framer: nothing said before the handshake carries over (RFC 2595 §3.1).
        _lines.Reset();
        _state = new AuthorizationState(null);
        return Flow.Continue;
    }

    /// <summary>RFC 6856 §2.1: UTF-8 mode. Messages are always sent as stored, so the mode changes nothing else.</summary>
    private Flow Utf8()
    {
        Pop3Reply.Ok(Output, "UTF8 enabled");
        return Flow.Continue;
    }
}
