using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;

namespace Letterbox.Imap.Commands;

/// <summary>
/// LIST (RFC 9051 §6.3.9) with LIST-EXTENDED selection and return options (RFC 5258),
/// SPECIAL-USE (RFC 6154), LIST-STATUS (RFC 5819) and CHILDREN (RFC 3348); LSUB (RFC 3501 §6.3.9).
/// </summary>
internal static class ListCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var list = (ListCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var lsub = list.Name == CommandName.Lsub;
        var o = session.Output;

        if (!lsub && list.Patterns.Count == 1 && list.Patterns[0].Length == 0 && list.Selection == ListSelection.None)
        {
            // RFC 9051 §6.3.9: an empty pattern asks for the separator and the root.
            o.Raw("* LIST (\\Noselect) \"/\" \"\"\r\n"u8);
            return CommandResult.Ok("LIST completed");
        }

        var reference = session.MailboxName(list.Reference) ?? list.Reference;
        var patterns = new List<string>();
        foreach (var pattern in list.Patterns)
        {
            var decoded = session.MailboxName(pattern);
            if (decoded is null)
            {
                return CommandResult.Bad("Pattern is not valid modified UTF-7");
            }
            patterns.Add(MailboxNames.Join(reference, decoded));
        }

        var mailboxes = await account.ListMailboxesAsync(ct).ConfigureAwait(false);
        var byName = mailboxes.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var wantSubscribed = lsub || list.Selection.HasFlag(ListSelection.Subscribed) || list.Return.HasFlag(ListReturn.Subscribed);
        var subscribed = wantSubscribed
            ? new HashSet<string>((await account.ListSubscriptionsAsync(ct).ConfigureAwait(false)).Select(MailboxNames.Normalize), StringComparer.Ordinal)
            : [];
        var extended = list.Selection != ListSelection.None || list.Return != ListReturn.None || list.Patterns.Count > 1;

        // Candidates: existing mailboxes, their implied parents, and (for subscription listings) subscribed names.
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var selectSubscribed = lsub || list.Selection.HasFlag(ListSelection.Subscribed);
        if (selectSubscribed)
        {
            names.UnionWith(subscribed);
            if (list.Selection.HasFlag(ListSelection.RecursiveMatch) || lsub)
            {
                foreach (var s in subscribed)
                {
                    names.UnionWith(MailboxNames.Parents(s));
                }
            }
        }
        else
        {
            foreach (var m in mailboxes)
            {
                names.Add(m.Name);
                names.UnionWith(MailboxNames.Parents(m.Name));
            }
        }

        foreach (var name in names)
        {
            if (!patterns.Any(p => MailboxNames.Matches(p, name)))
            {
                continue;
            }
            byName.TryGetValue(name, out var mailbox);
            var isSubscribed = subscribed.Contains(name);
            var childPrefix = name + MailboxNames.Separator;
            var hasSubscribedChild = subscribed.Any(s => s.StartsWith(childPrefix, StringComparison.Ordinal));
            if (selectSubscribed && !isSubscribed)
            {
                // Only a parent of subscribed mailboxes: RFC 5258 §3.5 CHILDINFO, or LSUB's \Noselect placeholder.
                if (!lsub && !list.Selection.HasFlag(ListSelection.RecursiveMatch))
                {
                    continue;
                }
                if (lsub && !patterns.Any(p => p.Contains('%')))
                {
                    continue;
                }
            }
            if (list.Selection.HasFlag(ListSelection.SpecialUse) && (mailbox is null || mailbox.SpecialUse == SpecialUse.None))
            {
                continue;
            }
            if (mailbox is null && !selectSubscribed && !patterns.Any(p => p.Contains('%')))
            {
                // A hierarchy placeholder is only interesting when "%" stops above its children.
                continue;
            }

            var attributes = new List<string>();
            if (mailbox is null)
            {
                attributes.Add(extended || !lsub ? (byName.Keys.Any(k => k.StartsWith(childPrefix, StringComparison.Ordinal)) ? "\\Noselect" : "\\NonExistent") : "\\Noselect");
            }
            if (!lsub)
            {
                var hasChildren = byName.Keys.Any(k => k.StartsWith(childPrefix, StringComparison.Ordinal));
                attributes.Add(hasChildren ? "\\HasChildren" : "\\HasNoChildren");
            }
            if (mailbox is not null && !lsub && (!extended || list.Return.HasFlag(ListReturn.SpecialUse) || list.Selection.HasFlag(ListSelection.SpecialUse)))
            {
                attributes.AddRange(SpecialUses.Attributes(mailbox.SpecialUse));
            }
            if (isSubscribed && !lsub && (list.Return.HasFlag(ListReturn.Subscribed) || selectSubscribed))
            {
                attributes.Add("\\Subscribed");
            }

            o.Raw(lsub ? "* LSUB "u8 : "* LIST "u8).FlagList(attributes).Raw(" \"/\" "u8).MailboxName(name);
            if (selectSubscribed && !isSubscribed && hasSubscribedChild && list.Selection.HasFlag(ListSelection.RecursiveMatch))
            {
                o.Raw(" (\"CHILDINFO\" (\"SUBSCRIBED\"))"u8);
            }
            o.Crlf();

            if (mailbox is not null && list.Return.HasFlag(ListReturn.Status) && list.StatusItems.Count > 0)
            {
                await StatusCommandHandler.WriteStatusAsync(session, account, mailbox, list.StatusItems, ct).ConfigureAwait(false);
            }
        }
        return CommandResult.Ok(lsub ? "LSUB completed" : "LIST completed");
    }
}

/// <summary>STATUS (RFC 9051 §6.3.11) with SIZE, DELETED (RFC 9051) and APPENDLIMIT (RFC 7889).</summary>
internal static class StatusCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var status = (StatusCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var name = session.MailboxName(status.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        var mailbox = await account.GetMailboxAsync(name, ct).ConfigureAwait(false);
        if (mailbox is null)
        {
            return CommandResult.No("No such mailbox", "NONEXISTENT");
        }
        if (status.Items.Contains(StatusItem.HighestModSeq))
        {
            // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
            session.EnableCondStore();
        }
        await WriteStatusAsync(session, account, mailbox, status.Items, ct).ConfigureAwait(false);
        return CommandResult.Ok("STATUS completed");
    }

    public static async Task WriteStatusAsync(ImapSession session, IMailAccount account, MailboxInfo mailbox, IReadOnlyList<StatusItem> items, CancellationToken ct)
    {
        var s = await account.GetStatusAsync(mailbox.Id, ct).ConfigureAwait(false);
        var o = session.Output;
        o.Raw("* STATUS "u8).MailboxName(mailbox.Name).Raw(" ("u8);
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                o.Space();
            }
            first = false;
            switch (item)
            {
                case StatusItem.Messages: o.Raw("MESSAGES "u8).Number(s.Messages); break;
                case StatusItem.Recent: o.Raw("RECENT 0"u8); break;
                case StatusItem.UidNext: o.Raw("UIDNEXT "u8).Number(s.UidNext); break;
                case StatusItem.UidValidity: o.Raw("UIDVALIDITY "u8).Number(s.UidValidity); break;
                case StatusItem.Unseen: o.Raw("UNSEEN "u8).Number(s.Unseen); break;
                case StatusItem.Deleted: o.Raw("DELETED "u8).Number(s.Deleted); break;
                case StatusItem.Size: o.Raw("SIZE "u8).Number(s.Size); break;
                case StatusItem.HighestModSeq: o.Raw("HIGHESTMODSEQ "u8).Number(s.HighestModSeq); break;
                case StatusItem.AppendLimit: o.Raw("APPENDLIMIT "u8).Number(session.Options.Limits.MaxMessageSize); break;
                case StatusItem.MailboxId: o.Raw("MAILBOXID ("u8).Number(mailbox.Id).Raw(")"u8); break;
            }
        }
        o.Raw(")\r\n"u8);
    }
}
