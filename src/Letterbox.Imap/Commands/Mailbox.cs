using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;

namespace Letterbox.Imap.Commands;

/// <summary>CREATE (with RFC 6154 USE), DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.4–6.3.8).</summary>
internal static class MailboxCommands
{
    public static async Task<CommandResult> CreateAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var create = (MailboxCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var name = session.MailboxName(create.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        // RFC 9051 §6.3.4: a trailing separator only says the client means to create children.
        name = name.TrimEnd(MailboxNames.Separator);
        if (name.Length == 0)
        {
            return CommandResult.No("Empty mailbox name", "CANNOT");
        }
        if (name == "INBOX")
        {
            return CommandResult.No("INBOX always exists", "ALREADYEXISTS");
        }
        var use = SpecialUse.None;
        foreach (var attribute in create.SpecialUse ?? [])
        {
            if (SpecialUses.Parse(attribute) is not { } parsed)
            {
                // RFC 6154 §3: USEATTR for a use the server does not support.
                return CommandResult.No("Unsupported special-use attribute " + attribute, "USEATTR");
            }
            use |= parsed;
        }
        if (await account.GetMailboxAsync(name, ct).ConfigureAwait(false) is not null)
        {
            return CommandResult.No("Mailbox already exists", "ALREADYEXISTS");
        }
        await account.CreateMailboxAsync(name, use, ct).ConfigureAwait(false);
        return CommandResult.Ok("CREATE completed");
    }

    public static async Task<CommandResult> DeleteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var delete = (MailboxCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var name = session.MailboxName(delete.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        if (name == "INBOX")
        {
            return CommandResult.No("INBOX cannot be deleted", "CANNOT");
        }
        await account.DeleteMailboxAsync(name, ct).ConfigureAwait(false);
        // Only once the mailbox is gone: a refused DELETE (e.g. it has inferiors) leaves the
        // selected mailbox selected, as RFC 9051 §6.3.5 gives NO no side effects.
        if (session.State is SelectedState selected && selected.View.Mailbox.Name == name)
        {
            session.Deselect();
        }
        return CommandResult.Ok("DELETE completed");
    }

    public static async Task<CommandResult> RenameAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var rename = (RenameCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var from = session.MailboxName(rename.From);
        var to = session.MailboxName(rename.To);
        if (from is null || to is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        to = to.TrimEnd(MailboxNames.Separator);
        if (await account.GetMailboxAsync(from, ct).ConfigureAwait(false) is null)
        {
            return CommandResult.No("No such mailbox", "NONEXISTENT");
        }
        if (await account.GetMailboxAsync(to, ct).ConfigureAwait(false) is not null)
        {
            return CommandResult.No("Target mailbox already exists", "ALREADYEXISTS");
        }
        await account.RenameMailboxAsync(from, to, ct).ConfigureAwait(false);
        return CommandResult.Ok("RENAME completed");
    }

    public static async Task<CommandResult> SubscribeAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var subscribe = (MailboxCommand)command;
        var account = ((AuthenticatedState)session.State).Account;
        var name = session.MailboxName(subscribe.Mailbox);
        if (name is null)
        {
            return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
        }
        var on = subscribe.Name == CommandName.Subscribe;
        if (on && await account.GetMailboxAsync(name, ct).ConfigureAwait(false) is null)
        {
            return CommandResult.No("No such mailbox", "NONEXISTENT");
        }
        await account.SetSubscribedAsync(name, on, ct).ConfigureAwait(false);
        return CommandResult.Ok(on ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
    }
}

/// <summary>RFC 6154 special-use attributes as IMAP spells them.</summary>
internal static class SpecialUses
{
    private static readonly (SpecialUse Use, string Attribute)[] Table =
    [
        (SpecialUse.All, "\\All"), (SpecialUse.Archive, "\\Archive"), (SpecialUse.Drafts, "\\Drafts"),
        (SpecialUse.Flagged, "\\Flagged"), (SpecialUse.Junk, "\\Junk"), (SpecialUse.Sent, "\\Sent"),
        (SpecialUse.Trash, "\\Trash"),
    ];

    public static SpecialUse? Parse(string attribute)
    {
        foreach (var (use, text) in Table)
        {
            if (text.Equals(attribute, StringComparison.OrdinalIgnoreCase))
            {
                return use;
            }
        }
        return null;
    }

    public static IEnumerable<string> Attributes(SpecialUse use)
    {
        foreach (var (flag, text) in Table)
        {
            if ((use & flag) != 0)
            {
                yield return text;
            }
        }
    }
}
