using Letterbox.Pop3.Protocol;
using Letterbox.Store;

namespace Letterbox.Pop3;

internal sealed partial class Pop3Session
{
    /// <summary>
    /// QUIT (RFC 1939 §6). In AUTHORIZATION it only closes. In TRANSACTION it enters the UPDATE
    /// state: this session's DELEs (and, by policy, its retrievals) are applied through the store,
    /// then the lock is released. If removal fails, -ERR says so and nothing is retried.
    /// </summary>
    private async Task<Flow> QuitAsync()
    {
        _end = SessionEnd.Quit;
        if (_state is not TransactionState transaction)
        {
            Pop3Reply.Ok(Output, "Letterbox POP3 signing off");
            return Flow.Close;
        }
        _state = new AuthorizationState(null);
        var maildrop = transaction.Maildrop;
        await using (maildrop.ConfigureAwait(false))
        {
            try
            {
                var (requested, removed) = await maildrop.CommitAsync(IdleToken).ConfigureAwait(false);
                if (requested > 0)
                {
                    Pop3Log.Committed(_log, transaction.User.Address, removed, requested);
                }
                if (removed < requested)
                {
                    Pop3Reply.Err(Output, Pop3ResponseCode.None, $"some deleted messages not removed ({removed} of {requested})");
                    return Flow.Close;
                }
                Pop3Reply.Ok(Output, $"Letterbox POP3 signing off ({maildrop.Count} messages left)");
            }
            catch (Exception e) when (e is MailStoreException or IOException)
            {
                Pop3Log.CommitFailed(_log, e, transaction.User.Address);
                Pop3Reply.Err(Output, Pop3ResponseCode.SysTemp, "some deleted messages not removed; try again later");
            }
        }
        return Flow.Close;
    }
}
