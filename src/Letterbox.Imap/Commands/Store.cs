using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>STORE and UID STORE (RFC 9051 §6.4.6): replace, add or remove flags, .SILENT, UNCHANGEDSINCE (RFC 7162).</summary>
internal static class StoreCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var store = (StoreCommand)command;
        var selected = (SelectedState)session.State;
        var view = selected.View;
        if (view.ReadOnly)
        {
            return CommandResult.No("Mailbox is read-only", "READ-ONLY");
        }
        if (!store.Uid && view.HasInvalidSequence(store.Set))
        {
            return CommandResult.Bad("Invalid message sequence number");
        }
        if (store.Flags.Any(f => f.Equals("\\Recent", StringComparison.OrdinalIgnoreCase)))
        {
            return CommandResult.Bad("\\Recent cannot be stored");
        }
        if (store.UnchangedSince is not null)
        {
            // RFC 7162 §3.1: STORE (UNCHANGEDSINCE) is a CONDSTORE enabling command.
            session.EnableCondStore();
        }
        var uids = view.Resolve(store.Set, store.Uid);
        if (uids.Count == 0)
        {
            return CommandResult.Ok("STORE completed");
        }
        var result = await selected.Account.StoreFlagsAsync(view.Mailbox.Id, uids, store.Operation, store.Flags, store.UnchangedSince, ct).ConfigureAwait(false);
        var changed = result.Changed.ToDictionary(s => s.Uid);
        foreach (var state in result.Changed)
        {
            view.Apply(state);
        }
        if (result.Changed.Count > 0)
        {
            view.OwnWrite(result.ModSeqBefore, result.Changed.Max(s => s.ModSeq));
        }
        // RFC 9051 §6.4.6: the new flags of every message named, changed or not. RFC 7162 §3.1.3:
        // with UNCHANGEDSINCE, a message the STORE changed is reported (with MODSEQ) even when .SILENT.
        foreach (var uid in uids)
        {
            var seq = view.SequenceOf(uid);
            if (seq == 0 || (store.Silent && (store.UnchangedSince is null || !changed.ContainsKey(uid))))
            {
                continue;
            }
            var state = changed.TryGetValue(uid, out var s) ? s : view[seq];
            MailboxView.WriteFlags(session.Output, seq, state, store.Uid || session.QResync, session.CondStore);
        }
        if (result.Failed.Count > 0)
        {
            return CommandResult.Ok("Conditional STORE failed for some messages", "MODIFIED " + UidSetText.Format([.. result.Failed.Select(u => store.Uid ? u : (uint)view.SequenceOf(u))]));
        }
        return CommandResult.Ok("STORE completed");
    }
}

/// <summary>EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1).</summary>
internal static class ExpungeCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var expunge = (ExpungeCommand)command;
        var selected = (SelectedState)session.State;
        var view = selected.View;
        if (view.ReadOnly)
        {
            return CommandResult.No("Mailbox is read-only", "READ-ONLY");
        }
        IReadOnlyList<uint>? only = null;
        if (expunge.Uid && expunge.Set is { } set)
        {
            only = view.Resolve(set, uid: true);
            if (only.Count == 0)
            {
                return CommandResult.Ok("EXPUNGE completed");
            }
        }
        var expunged = await selected.Account.ExpungeWithModSeqAsync(view.Mailbox.Id, only, ct).ConfigureAwait(false);
        view.WriteExpunges(session.Output, expunged.Uids, session.QResync);
        view.OwnWrite(expunged.ModSeqBefore, expunged.ModSeq);
        return CommandResult.Ok("EXPUNGE completed");
    }
}

/// <summary>COPY and MOVE (RFC 9051 §6.4.7, §6.4.8; RFC 6851) with COPYUID (RFC 4315).</summary>
internal static class CopyCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var copy = (CopyCommand)command;
        var selected = (SelectedState)session.State;
        var view = selected.View;
        var move = copy.Name == CommandName.Move;
        var verb = move ? "MOVE" : "COPY";
        if (move && view.ReadOnly)
        {
            return CommandResult.No("Mailbox is read-only", "READ-ONLY");
        }
        if (!copy.Uid && view.HasInvalidSequence(copy.Set))
        {
            return CommandResult.Bad("Invalid message sequence number");
        }
        var name = session.MailboxName(copy.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        var destination = await selected.Account.GetMailboxAsync(name, ct).ConfigureAwait(false);
        if (destination is null)
        {
            return CommandResult.No("No such mailbox", "TRYCREATE");
        }
        var uids = view.Resolve(copy.Set, copy.Uid);
        if (uids.Count == 0)
        {
            return CommandResult.Ok(verb + " completed");
        }
        if (move && destination.Id == view.Mailbox.Id)
        {
            return CommandResult.No("Source and destination are the same mailbox", "CANNOT");
        }
        var result = await selected.Account.CopyAsync(view.Mailbox.Id, uids, destination.Id, move, ct).ConfigureAwait(false);
        if (destination.Id == view.Mailbox.Id)
        {
            view.MarkChanged();
        }
        var copyUid = result.SourceUids.Count == 0
            ? null
            : $"COPYUID {result.DestinationUidValidity} {UidSetText.Format(result.SourceUids)} {UidSetText.Format(result.DestinationUids)}";
        if (!move)
        {
            return CommandResult.Ok("COPY completed", copyUid);
        }
        // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
        if (copyUid is not null)
        {
            session.Output.Raw("* OK ["u8).Text(copyUid).Raw("] Moved\r\n"u8);
        }
        view.WriteExpunges(session.Output, result.SourceUids, session.QResync);
        return CommandResult.Ok("MOVE completed");
    }
}
