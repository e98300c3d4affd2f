using System.Globalization;
using Letterbox.Net;
using Letterbox.Smtp.Protocol;

namespace Letterbox.Smtp;

/// <summary>HELO/EHLO (RFC 5321 §4.1.1.1), LHLO (RFC 2033 §4.1) and STARTTLS (RFC 3207).</summary>
internal sealed partial class SmtpSession
{
    private Flow Hello(SmtpCommand command)
    {
        // RFC 5321 §4.1.4: HELO/EHLO in a transaction resets it, as RSET does.
        var extended = command.Verb != SmtpVerb.Helo;
        EndTransaction(new GreetedState(command.Argument, extended));
        if (!extended)
        {
            new SmtpReply(250, null, _server.HostName).WriteTo(Output);
            return Flow.Continue;
        }
        // RFC 1869 §4.3: the first line names the server, each further line one extension.
        var lines = new List<string>
        {
            $"{_server.HostName} Hello {command.Argument}",
            "PIPELINING",
            "SIZE " + Options.Limits.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            // RFC 3030: BDAT, and binary bodies that only BDAT can carry.
            "CHUNKING",
            "BINARYMIME",
        };
        if (Mode == SmtpMode.Smtp)
        {
            // RFC 3461: parameters accepted and kept. Not over LMTP: the front MTA then stays the one
            // that reports "delivered" (RFC 3461 §5.2.3) — Letterbox sends no mail of its own.
            lines.Add("DSN");
        }
        if (_connection.CanStartTls)
        {
            lines.Add("STARTTLS");
        }
        SmtpReply.WriteLines(Output, 250, lines);
        return Flow.Continue;
    }

    /// <summary>
    /// RFC 3207 §4: 220, then the handshake. <see cref="ClientConnection.UpgradeToTlsAsync"/> discards
    /// anything pipelined after STARTTLS (§6 injection defence); §4.2: the session starts afresh.
    /// </summary>
    private async Task<Flow> StartTlsAsync()
    {
        if (_connection.IsTls)
        {
            return Reply(SmtpReply.AlreadyTls);
        }
        if (!_connection.CanStartTls)
        {
            return Reply(SmtpReply.TlsUnavailable);
        }
        SmtpReply.ReadyForTls.WriteTo(Output);
        try
        {
            await _connection.UpgradeToTlsAsync(IdleToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            SmtpLog.TlsFailed(_log, e, Mode, _connection.RemoteEndPoint);
            _end = SessionEnd.TlsFailed;
            return Flow.Close;
        }
        _state = new ConnectedState();
        _lines.Reset();
        return Flow.Continue;
    }
}
