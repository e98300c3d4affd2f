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
        if (select.QResync is not null && !session.QResync)
        {
            // RFC 7162 §3.2.5: QRESYNC only after ENABLE QRESYNC.
            return CommandResult.Bad("QRESYNC parameter requires ENABLE QRESYNC first", "CLIENTBUG");
        }
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; [CLOSED] marks where the
        // old mailbox's responses end (RFC 9051 §7.1, RFC 7162 §3.2.11).
        if (session.State is SelectedState)
        {
            session.Deselect();
            session.Output.Raw("* OK [CLOSED] Previous mailbox closed\r\n"u8);
        }
        if (select.Parameters.Contains("CONDSTORE"))
        {
            // RFC 7162 §3.1: SELECT/EXAMINE (CONDSTORE) is a CONDSTORE enabling command.
            session.EnableCondStore();
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
        if (select.QResync is { } resync && resync.UidValidity == mailbox.UidValidity)
        {
            await Resynchronisation.ResynchroniseAsync(session, account, view, resync, ct).ConfigureAwait(false);
        }
        return readOnly
            ? CommandResult.Ok("EXAMINE completed", "READ-ONLY")
            : CommandResult.Ok("SELECT completed", "READ-WRITE");
    }
}

/// <summary>
/// Quick resynchronisation (RFC 7162 §3.2.5.1): what changed since the client's MODSEQ, as if it
/// had sent UID FETCH known-uids (FLAGS) (CHANGEDSINCE modseq VANISHED).
/// </summary>
internal static class Resynchronisation
{
    public static async Task ResynchroniseAsync(ImapSession session, Letterbox.Store.IMailAccount account, MailboxView view, QResyncParameter resync, CancellationToken ct)
    {
        // Without known UIDs the client means 1:<UIDNEXT-1> (RFC 7162 §3.2.5.1).
        var known = resync.KnownUids ?? (view.UidNext > 1 ? new SequenceSet([new SequenceRange(1, view.UidNext - 1)]) : new SequenceSet([]));
        await WriteVanishedEarlierAsync(session, account, view, known, resync.ModSeq, ct).ConfigureAwait(false);
        for (var seq = 1; seq <= view.Count; seq++)
        {
            var message = view[seq];
            if (message.ModSeq > resync.ModSeq && Contains(known, message.Uid))
            {
                MailboxView.WriteFlags(session.Output, seq, message, withUid: true, withModSeq: true);
            }
        }
    }

    /// <summary>"* VANISHED (EARLIER) uids": UIDs of <paramref name="set"/> expunged after <paramref name="modSeq"/> (RFC 7162 §3.2.10.1).</summary>
    public static async Task WriteVanishedEarlierAsync(ImapSession session, Letterbox.Store.IMailAccount account, MailboxView view, SequenceSet set, ulong modSeq, CancellationToken ct)
    {
        var delta = await account.GetChangesSinceAsync(view.Mailbox.Id, modSeq, ct).ConfigureAwait(false);
        // A UID still in the view was expunged after the view was loaded: the normal update reports it.
        var vanished = delta.Expunged.Where(u => view.SequenceOf(u) == 0 && Contains(set, u)).Order().ToList();
        if (vanished.Count > 0)
        {
            session.Output.Raw("* VANISHED (EARLIER) "u8);
            session.Output.Grammar.WriteSequenceSet(vanished);
            session.Output.Crlf();
        }
    }

    /// <summary>Whether a UID set names <paramref name="uid"/> ("*" is the largest UID, so it names every larger one).</summary>
    public static bool Contains(SequenceSet set, uint uid) =>
        set.Ranges.Any(r => uid >= Math.Min(r.Start, r.End) && uid <= Math.Max(r.Start, r.End));
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
