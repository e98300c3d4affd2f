using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;

namespace Letterbox.Imap.Commands;

/// <summary>
/// QUOTA (RFC 9208): one quota root per account, named "" (the empty string), holding every
/// mailbox, with the STORAGE resource in units of 1024 octets. The limit is the administrator's
/// (<c>Accounts:DefaultQuotaBytes</c>); an account without a limit has no quota root.
/// </summary>
internal static class QuotaCommandHandler
{
    private const string Root = "";

    /// <summary>GETQUOTAROOT mailbox (RFC 9208 §4.3).</summary>
    public static async Task<CommandResult> GetQuotaRootAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var quota = (QuotaCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var name = session.MailboxName(quota.Argument);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        var mailbox = await account.GetMailboxAsync(name, ct).ConfigureAwait(false);
        if (mailbox is null)
        {
            return CommandResult.No("No such mailbox", "NONEXISTENT");
        }
        var usage = await account.GetQuotaAsync(ct).ConfigureAwait(false);
        var o = session.Output;
        o.Raw("* QUOTAROOT "u8).MailboxName(mailbox.Name);
        if (usage.LimitBytes > 0)
        {
            o.Raw(" \"\""u8);
        }
        o.Crlf();
        if (usage.LimitBytes > 0)
        {
            WriteQuota(o, usage);
        }
        return CommandResult.Ok("GETQUOTAROOT completed");
    }

    /// <summary>GETQUOTA quota-root (RFC 9208 §4.2).</summary>
    public static async Task<CommandResult> GetQuotaAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var quota = (QuotaCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var usage = await account.GetQuotaAsync(ct).ConfigureAwait(false);
        if (quota.Argument != Root || usage.LimitBytes <= 0)
        {
            return CommandResult.No("No such quota root", "NONEXISTENT");
        }
        WriteQuota(session.Output, usage);
        return CommandResult.Ok("GETQUOTA completed");
    }

    /// <summary>SETQUOTA (RFC 9208 §4.1.3): limits are the administrator's, not the user's.</summary>
    public static Task<CommandResult> SetQuotaAsync(ImapSession session, ImapCommand command, CancellationToken ct) =>
        Task.FromResult(CommandResult.No("Quotas are set by the server's administrator", "NOPERM"));

    /// <summary>"* QUOTA "" (STORAGE used limit)", in units of 1024 octets, used rounded up (RFC 9208 §5.1).</summary>
    private static void WriteQuota(ResponseOutput o, QuotaUsage usage)
    {
        o.Raw("* QUOTA \"\" (STORAGE "u8).Number((usage.UsedBytes + 1023) / 1024).Space().Number(usage.LimitBytes / 1024).Raw(")\r\n"u8);
    }
}
