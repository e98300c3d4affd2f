using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>
/// IDLE (RFC 2177, RFC 9051 §6.3.13): updates are pushed as soon as the store's change
/// notification fires (no polling), until the client sends DONE or the idle time runs out.
/// </summary>
internal static class IdleCommand
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var o = session.Output;
        if (session.State is SelectedState first)
        {
            await session.RefreshAsync(first, allowExpunge: true, ct).ConfigureAwait(false);
        }
        o.Raw("+ idling\r\n"u8);
        await o.FlushAsync(ct).ConfigureAwait(false);

        using var idle = session.StartIdleTimer(ct);
        var read = session.ReadContinuationAsync(idle.Token).AsTask();
        try
        {
            while (true)
            {
                var changed = session.State is SelectedState s ? s.View.Changed : Task.Delay(Timeout.Infinite, idle.Token);
                if (session.State is SelectedState pending && pending.View.HasChanges)
                {
                    changed = Task.CompletedTask;
                }
                var winner = await Task.WhenAny(read, changed).ConfigureAwait(false);
                if (winner == read)
                {
                    break;
                }
                if (session.State is SelectedState selected)
                {
                    await session.RefreshAsync(selected, allowExpunge: true, ct).ConfigureAwait(false);
                    await o.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            var line = await read.ConfigureAwait(false);
            if (line is null)
            {
                session.CloseReason = "client closed the connection during IDLE";
                return CommandResult.Bad("IDLE ended without DONE");
            }
            return line.Equals("DONE", StringComparison.OrdinalIgnoreCase)
                ? CommandResult.Ok("IDLE terminated")
                : CommandResult.Bad("Expected DONE");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            o.Raw("* BYE Autologout; idle for too long\r\n"u8);
            session.CloseReason = "idle timeout";
            return CommandResult.No("IDLE timed out");
        }
    }
}
