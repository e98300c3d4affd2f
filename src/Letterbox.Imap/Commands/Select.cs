using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3).</summary>
internal static class SelectCommandHandler
{
    private static readonly string[] SystemFlags = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var select = (SelectCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; [CLOSED] marks where the
        // old mailbox's responses end (RFC 9051 §7.1, RFC 7162 §3.2.11).
        if (session.State is SelectedState)
        {
            session.Deselect();
            session.Output.Raw("* OK [CLOSED] Previous mailbox closed\r\n"u8);
        }
        var name = session.MailboxName(select.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        var mailbox = await account.GetMailboxAsync(name, ct).ConfigureAwait(false);
        if (mailbox is null)
        {
            return CommandResult.No("No such mailbox", "NONEXISTENT");
        }
        var state = await account.LoadMailboxAsync(mailbox.Id, ct).ConfigureAwait(false);
        var readOnly = select.Name == CommandName.Examine;
        var view = new MailboxView(state, readOnly, session.Store.Changes, account.User.AccountId);
        session.State = new SelectedState(account, view);

        var keywords = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var message in state.Messages)
        {
            foreach (var flag in message.Flags)
            {
                if (!flag.StartsWith('\\'))
                {
                    keywords.Add(flag);
                }
            }
        }
        var flags = SystemFlags.Concat(keywords).ToList();
        var o = session.Output;
        o.Raw("* "u8).Number(state.Messages.Count).Raw(" EXISTS\r\n"u8);
        if (!session.Rev2)
        {
            // RFC 3501 §7.3.2: Letterbox never sets \Recent (RFC 9051 removed it).
            o.Raw("* 0 RECENT\r\n"u8);
        }
        o.Raw("* FLAGS "u8).FlagList(flags).Crlf();
        o.Raw("* OK [PERMANENTFLAGS "u8).FlagList(readOnly ? [] : flags.Append("\\*")).Raw("] Flags permitted\r\n"u8);
        o.Raw("* OK [UIDVALIDITY "u8).Number(mailbox.UidValidity).Raw("] UIDs valid\r\n"u8);
        o.Raw("* OK [UIDNEXT "u8).Number(state.UidNext).Raw("] Predicted next UID\r\n"u8);
        o.Raw("* OK [HIGHESTMODSEQ "u8).Number(state.HighestModSeq).Raw("] Highest\r\n"u8);
        if (session.Rev2)
        {
            // RFC 9051 §6.3.2: rev2 servers send the mailbox's canonical name as a LIST response.
            o.Raw("* LIST () \"/\" "u8).MailboxName(mailbox.Name).Crlf();
        }
        return readOnly
            ? CommandResult.Ok("EXAMINE completed", "READ-ONLY")
            : CommandResult.Ok("SELECT completed", "READ-WRITE");
    }
}

/// <summary>CLOSE (RFC 9051 §6.4.1: expunges silently unless read-only) and UNSELECT (RFC 3691).</summary>
internal static class CloseCommand
{
    public static async Task<CommandResult> CloseAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var selected = (SelectedState)session.State;
        if (!selected.View.ReadOnly)
        {
            await selected.Account.ExpungeAsync(selected.View.Mailbox.Id, null, ct).ConfigureAwait(false);
        }
        session.Deselect();
        return CommandResult.Ok("CLOSE completed");
    }

    public static Task<CommandResult> UnselectAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        session.Deselect();
        return Task.FromResult(CommandResult.Ok("UNSELECT completed"));
    }
}
