using System.IO.Pipelines;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Imap.Commands;

/// <summary>
/// IDLE (RFC 2177, RFC 9051 §6.3.13): updates are pushed as soon as the store's change
/// notification fires (no polling), until the client sends DONE or the idle time runs out.
/// </summary>
/// <remarks>
/// A session in IDLE waits on one thing: a read of its input. A change notification wakes that
/// read (<see cref="System.IO.Pipelines.PipeReader.CancelPendingRead"/>) instead of racing a second
/// task against it, so an idling session holds no task, no line-reading state and no
/// notification promise — with 10,000 sessions in IDLE that is most of what each one costs
/// (issue 6). A wake-up that arrives when no read is pending makes the next read return at once:
/// none is lost. The client's DONE is then read by the ordinary line reader.
/// </remarks>
internal static class IdleCommand
{
    private static readonly Action<PipeReader> s_wake = static input =>
    {
        try
        {
            input.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
            // The connection closed meanwhile: its own end stops the IDLE.
        }
    };

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
        var input = session.Connection.Input;
        var view = (session.State as SelectedState)?.View;
        // The notification runs on the account's writer after its commit: the wake-up is handed to
        // the thread pool so the session's refresh never runs on (and holds up) the writer.
        view?.WakeOnChange(() => ThreadPool.UnsafeQueueUserWorkItem(s_wake, input, preferLocal: false));
        try
        {
            while (true)
            {
                if (view is { HasChanges: true } && session.State is SelectedState selected)
                {
                    await session.RefreshAsync(selected, allowExpunge: true, ct).ConfigureAwait(false);
                    await o.FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var result = await input.ReadAsync(idle.Token).ConfigureAwait(false);
                // Nothing is consumed here: what arrived is left for the line reader below.
                input.AdvanceTo(result.Buffer.Start);
                if (!result.IsCanceled && (!result.Buffer.IsEmpty || result.IsCompleted))
                {
                    break;
                }
            }
            var line = await session.ReadContinuationAsync(idle.Token).ConfigureAwait(false);
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
        finally
        {
            // A wake-up while DONE is read, or after this, is harmless: every reader of the input
            // treats a cancelled read as "nothing new yet" and reads again.
            view?.WakeOnChange(null);
        }
    }
}
