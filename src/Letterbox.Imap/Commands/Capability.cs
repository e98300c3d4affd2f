using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>CAPABILITY (RFC 9051 §6.1.1).</summary>
internal static class CapabilityCommand
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        session.Output.Raw("* CAPABILITY "u8).Text(Capabilities.For(session)).Crlf();
        return Task.FromResult(CommandResult.Ok("CAPABILITY completed"));
    }
}

/// <summary>NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1): the session sends pending updates after either.</summary>
internal static class NoopCommand
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct) =>
        Task.FromResult(CommandResult.Ok(command.Name == CommandName.Check ? "CHECK completed" : "NOOP completed"));
}

/// <summary>LOGOUT (RFC 9051 §6.1.3).</summary>
internal static class LogoutCommand
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        session.Output.Raw("* BYE Letterbox logging out\r\n"u8);
        session.Deselect();
        session.State = LogoutState.Instance;
        session.CloseReason = "logout";
        return Task.FromResult(CommandResult.Ok("LOGOUT completed"));
    }
}

/// <summary>STARTTLS (RFC 9051 §6.2.1): OK, then the handshake; pipelined plaintext is discarded by the connection.</summary>
internal static class StartTlsCommand
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        if (!session.Connection.CanStartTls)
        {
            return Task.FromResult(CommandResult.Bad(session.Connection.IsTls ? "TLS is already active" : "STARTTLS is not available here"));
        }
        session.TlsRequested = true;
        return Task.FromResult(CommandResult.Ok("Begin TLS negotiation now"));
    }
}

/// <summary>NAMESPACE (RFC 2342, RFC 9051 §6.3.10): one personal namespace, no prefix, "/" separator.</summary>
internal static class NamespaceCommand
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        session.Output.Raw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"u8);
        return Task.FromResult(CommandResult.Ok("NAMESPACE completed"));
    }
}

/// <summary>ID (RFC 2971): the client's fields are accepted and ignored; the server names itself.</summary>
internal static class IdCommandHandler
{
    private static readonly string Version = typeof(IdCommandHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        session.Output.Raw("* ID (\"name\" \"Letterbox\" \"version\" "u8).String(Version).Raw(")\r\n"u8);
        return Task.FromResult(CommandResult.Ok("ID completed"));
    }
}

/// <summary>ENABLE (RFC 5161): IMAP4rev2 (RFC 9051 §6.3.1), UTF8=ACCEPT (RFC 6855), CONDSTORE and QRESYNC (RFC 7162).</summary>
internal static class EnableCommandHandler
{
    public static Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var enable = (EnableCommand)command;
        if (session.State is SelectedState)
        {
            // RFC 6855 §3: UTF8=ACCEPT changes how mailbox names are read; refuse it once selected, like rev2.
            return Task.FromResult(CommandResult.Bad("ENABLE is allowed only before SELECT", "CLIENTBUG"));
        }
        var enabled = new List<string>();
        foreach (var capability in enable.Capabilities)
        {
            if (capability.Equals("IMAP4rev2", StringComparison.OrdinalIgnoreCase))
            {
                if (!session.Rev2)
                {
                    session.Rev2 = true;
                    session.Utf8 = true;
                    enabled.Add("IMAP4rev2");
                }
            }
            else if (capability.Equals("CONDSTORE", StringComparison.OrdinalIgnoreCase))
            {
                if (!session.CondStore)
                {
                    session.EnableCondStore();
                    enabled.Add("CONDSTORE");
                }
            }
            else if (capability.Equals("QRESYNC", StringComparison.OrdinalIgnoreCase))
            {
                if (!session.QResync)
                {
                    session.EnableQResync();
                    enabled.Add("QRESYNC");
                }
            }
            else if (capability.Equals("UTF8=ACCEPT", StringComparison.OrdinalIgnoreCase))
            {
                if (!session.Utf8 || !session.Utf8Enabled)
                {
                    session.Utf8 = true;
                    session.Utf8Enabled = true;
                    enabled.Add("UTF8=ACCEPT");
                }
            }
        }
        session.Output.Raw("* ENABLED"u8);
        foreach (var name in enabled)
        {
            session.Output.Space().Text(name);
        }
        session.Output.Crlf();
        return Task.FromResult(CommandResult.Ok("ENABLE completed"));
    }
}
