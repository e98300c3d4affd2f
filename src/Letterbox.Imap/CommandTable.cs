using System.Collections.Frozen;
using Letterbox.Imap.Commands;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap;

/// <summary>How a command interacts with message sequence numbers (RFC 9051 §5.5).</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    /// <summary>The non-UID form uses sequence numbers: no untagged EXPUNGE may be sent while it runs or right after it.</summary>
    UsesSequenceNumbers = 1,
    /// <summary>The command exists to collect pending updates (NOOP, CHECK, IDLE): they are always sent at its end.</summary>
    ReportsUpdates = 2,
    /// <summary>The command may itself send EXPUNGE (EXPUNGE, MOVE, CLOSE).</summary>
    MaySendExpunge = 4,
}

internal delegate Task<CommandResult> CommandHandler(ImapSession session, ImapCommand command, CancellationToken ct);

/// <summary>One command: the states it is allowed in, its flags and its handler.</summary>
internal sealed record CommandEntry(CommandName Name, SessionStates States, CommandFlags Flags, CommandHandler Handler)
{
    /// <summary>True when untagged EXPUNGE may follow this command (RFC 9051 §5.5).</summary>
    public bool AllowsExpungeAfter(ImapCommand command) => command.Uid || !Flags.HasFlag(CommandFlags.UsesSequenceNumbers);
}

/// <summary>Every command, registered once (RFC 9051 §6 and the extensions Letterbox advertises).</summary>
internal static class CommandTable
{
    private const SessionStates Any = SessionStates.Any;
    private const SessionStates NotAuth = SessionStates.NotAuthenticated;
    private const SessionStates LoggedIn = SessionStates.LoggedIn;
    private const SessionStates Selected = SessionStates.Selected;

    public static readonly FrozenDictionary<CommandName, CommandEntry> Entries = new CommandEntry[]
    {
        new(CommandName.Capability, Any, CommandFlags.None, CapabilityCommand.RunAsync),
        new(CommandName.Noop, Any, CommandFlags.ReportsUpdates, NoopCommand.RunAsync),
        new(CommandName.Logout, Any, CommandFlags.None, LogoutCommand.RunAsync),
        new(CommandName.Id, Any, CommandFlags.None, IdCommandHandler.RunAsync),
        new(CommandName.StartTls, NotAuth, CommandFlags.None, StartTlsCommand.RunAsync),
        new(CommandName.Login, NotAuth, CommandFlags.None, LoginCommandHandler.RunAsync),
        new(CommandName.Authenticate, NotAuth, CommandFlags.None, AuthenticateCommandHandler.RunAsync),
        new(CommandName.Enable, LoggedIn, CommandFlags.None, EnableCommandHandler.RunAsync),
        new(CommandName.Select, LoggedIn, CommandFlags.None, SelectCommandHandler.RunAsync),
        new(CommandName.Examine, LoggedIn, CommandFlags.None, SelectCommandHandler.RunAsync),
        new(CommandName.Create, LoggedIn, CommandFlags.None, MailboxCommands.CreateAsync),
        new(CommandName.Delete, LoggedIn, CommandFlags.None, MailboxCommands.DeleteAsync),
        new(CommandName.Rename, LoggedIn, CommandFlags.None, MailboxCommands.RenameAsync),
        new(CommandName.Subscribe, LoggedIn, CommandFlags.None, MailboxCommands.SubscribeAsync),
        new(CommandName.Unsubscribe, LoggedIn, CommandFlags.None, MailboxCommands.SubscribeAsync),
        new(CommandName.List, LoggedIn, CommandFlags.None, ListCommandHandler.RunAsync),
        new(CommandName.Lsub, LoggedIn, CommandFlags.None, ListCommandHandler.RunAsync),
        new(CommandName.Namespace, LoggedIn, CommandFlags.None, NamespaceCommand.RunAsync),
        new(CommandName.Status, LoggedIn, CommandFlags.None, StatusCommandHandler.RunAsync),
        new(CommandName.Append, LoggedIn, CommandFlags.None, AppendCommandHandler.RunAsync),
        new(CommandName.GetQuota, LoggedIn, CommandFlags.None, QuotaCommandHandler.GetQuotaAsync),
        new(CommandName.GetQuotaRoot, LoggedIn, CommandFlags.None, QuotaCommandHandler.GetQuotaRootAsync),
        new(CommandName.SetQuota, LoggedIn, CommandFlags.None, QuotaCommandHandler.SetQuotaAsync),
        new(CommandName.Idle, LoggedIn, CommandFlags.ReportsUpdates, IdleCommand.RunAsync),
        new(CommandName.Check, Selected, CommandFlags.ReportsUpdates, NoopCommand.RunAsync),
        new(CommandName.Close, Selected, CommandFlags.MaySendExpunge, CloseCommand.CloseAsync),
        new(CommandName.Unselect, Selected, CommandFlags.None, CloseCommand.UnselectAsync),
        new(CommandName.Expunge, Selected, CommandFlags.MaySendExpunge, ExpungeCommandHandler.RunAsync),
        new(CommandName.Search, Selected, CommandFlags.UsesSequenceNumbers, SearchCommandHandler.RunAsync),
        new(CommandName.Fetch, Selected, CommandFlags.UsesSequenceNumbers, FetchCommandHandler.RunAsync),
        new(CommandName.Store, Selected, CommandFlags.UsesSequenceNumbers, StoreCommandHandler.RunAsync),
        new(CommandName.Copy, Selected, CommandFlags.UsesSequenceNumbers, CopyCommandHandler.RunAsync),
        new(CommandName.Move, Selected, CommandFlags.UsesSequenceNumbers | CommandFlags.MaySendExpunge, CopyCommandHandler.RunAsync),
    }.ToFrozenDictionary(e => e.Name);
}
