using Letterbox.Store;

namespace Letterbox.Imap.Session;

/// <summary>The session's state (RFC 9051 §3) as types: a handler that needs a mailbox cannot run without one.</summary>
internal abstract record SessionState
{
    public abstract SessionStates Kind { get; }
}

internal sealed record NotAuthenticatedState : SessionState
{
    public static readonly NotAuthenticatedState Instance = new();
    public override SessionStates Kind => SessionStates.NotAuthenticated;
}

/// <summary>Logged in: the user's account is open.</summary>
internal record AuthenticatedState(IMailAccount Account) : SessionState
{
    public override SessionStates Kind => SessionStates.Authenticated;
}

/// <summary>A mailbox is selected: the account and the session's view of the mailbox.</summary>
internal sealed record SelectedState(IMailAccount Account, MailboxView View) : AuthenticatedState(Account)
{
    public override SessionStates Kind => SessionStates.Selected;
}

internal sealed record LogoutState : SessionState
{
    public static readonly LogoutState Instance = new();
    public override SessionStates Kind => SessionStates.Logout;
}

/// <summary>The states a command is allowed in (RFC 9051 §6).</summary>
[Flags]
internal enum SessionStates
{
    None = 0,
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    Logout = 8,
    Any = NotAuthenticated | Authenticated | Selected,
    LoggedIn = Authenticated | Selected,
}
