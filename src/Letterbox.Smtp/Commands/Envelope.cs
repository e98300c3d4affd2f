using Letterbox.Smtp.Delivery;
using Letterbox.Smtp.Protocol;

namespace Letterbox.Smtp;

/// <summary>MAIL (RFC 5321 §4.1.1.2), RCPT (§4.1.1.3) and RSET (§4.1.1.5).</summary>
internal sealed partial class SmtpSession
{
    private Flow Mail(SmtpCommand command)
    {
        var hello = (GreetedState)_state;
        // RFC 1870 §6.3: a declared size over the limit is refused now rather than after the data.
        if (command.DeclaredSize > Options.Limits.MaxMessageSize)
        {
            return Reply(new SmtpReply(552, "5.3.4", $"Message size exceeds the limit of {Options.Limits.MaxMessageSize} octets"));
        }
        if (!command.SmtpUtf8 && !System.Text.Ascii.IsValid(command.Argument))
        {
            // RFC 6531 §3.4: an internationalised address needs the SMTPUTF8 parameter.
            return Reply(new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"));
        }
        _state = new MailState(hello, command, []);
        _commandsWithoutMail = 0;
        return Reply(SmtpReply.SenderOk);
    }

    private async Task<Flow> RcptAsync(SmtpCommand command)
    {
        var mail = (MailState)_state;
        if (mail.Recipients.Count >= Math.Max(1, Limits.MaxRecipients))
        {
            // RFC 5321 §4.5.3.1.10: 452 says "try the rest in another transaction".
            return Reply(SmtpReply.TooManyRecipients);
        }
        if (!mail.Mail.SmtpUtf8 && !System.Text.Ascii.IsValid(command.Argument))
        {
            return Reply(new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"));
        }
        // RFC 5321 §4.5.1: <postmaster> without a domain is the postmaster of this host.
        var address = command.Argument.Contains('@', StringComparison.Ordinal) ? command.Argument : command.Argument + "@" + _server.HostName;
        Recipient recipient;
        bool full;
        try
        {
            recipient = await _delivery.ResolveAsync(address, IdleToken).ConfigureAwait(false);
            full = recipient is { Status: RecipientStatus.Accepted, User: { } user } && await _delivery.IsFullAsync(user, IdleToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SmtpLog.LookupFailed(_log, e, Mode, address);
            return Reply(new SmtpReply(451, "4.3.0", "Recipient lookup failed, try again later"));
        }
        switch (recipient.Status)
        {
            case RecipientStatus.Accepted when full:
                // Postfix semantics: a full mailbox is temporary (the owner may make room); a message larger than the room left gets 552 5.2.2 after the data.
                SmtpMetrics.RejectedRecipients.Add(1, new KeyValuePair<string, object?>("reason", "quota"));
                return Reply(SmtpReply.MailboxFull);
            case RecipientStatus.Accepted:
                // RFC 3461 §4.1, §4.2: kept with the recipient; as the final destination no DSN is sent (see Hello: DSN).
                mail.Recipients.Add(recipient with { Notify = command.Notify, OriginalRecipient = command.OriginalRecipient });
                return Reply(SmtpReply.RecipientOk);
            case RecipientStatus.DomainNotHosted:
                SmtpMetrics.RejectedRecipients.Add(1, new KeyValuePair<string, object?>("reason", "domain"));
                SmtpLog.RecipientRefused(_log, Mode, address, _connection.RemoteEndPoint, "domain not hosted");
                // Over SMTP a foreign domain is a relay attempt (RFC 5321 §3.6.2); behind an MTA it is a bad destination.
                return Reply(Mode == SmtpMode.Lmtp ? SmtpReply.UnknownDomain : SmtpReply.RelayDenied);
            default:
                SmtpMetrics.RejectedRecipients.Add(1, new KeyValuePair<string, object?>("reason", "user"));
                SmtpLog.RecipientRefused(_log, Mode, address, _connection.RemoteEndPoint, "unknown user");
                return Reply(SmtpReply.UnknownUser);
        }
    }

    private Flow Rset()
    {
        if (_state is MailState mail)
        {
            EndTransaction(mail.Hello);
        }
        return Reply(SmtpReply.Ok);
    }
}
