using Letterbox.Store;

namespace Letterbox.Imap.Session;

/// <summary>Maps a refused store operation to its tagged NO and RFC 5530 response code.</summary>
internal static class StoreErrors
{
    public static CommandResult ToResult(MailStoreException e) => e.Error switch
    {
        MailStoreError.NonExistent => CommandResult.No(e.Message, "NONEXISTENT"),
        MailStoreError.AlreadyExists => CommandResult.No(e.Message, "ALREADYEXISTS"),
        MailStoreError.HasChildren => CommandResult.No(e.Message, "CANNOT"),
        MailStoreError.CannotDeleteInbox => CommandResult.No(e.Message, "CANNOT"),
        MailStoreError.InvalidName => CommandResult.No(e.Message, "CANNOT"),
        MailStoreError.OverQuota => CommandResult.No(e.Message, "OVERQUOTA"),
        MailStoreError.TooBig => CommandResult.No(e.Message, "TOOBIG"),
        _ => CommandResult.No(e.Message, "UNAVAILABLE"),
    };
}
