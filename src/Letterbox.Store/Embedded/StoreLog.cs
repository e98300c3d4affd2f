using Microsoft.Extensions.Logging;

namespace Letterbox.Store.Embedded;

/// <summary>Log events of the embedded store (stable ids 3000-3099). Never logs message content.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(3000, LogLevel.Information, "Opened mail account {AccountId}")]
    public static partial void AccountOpened(ILogger logger, string accountId);

    [LoggerMessage(3001, LogLevel.Error, "Commit failed for account {AccountId}; the group of operations was rolled back")]
    public static partial void CommitFailed(ILogger logger, string accountId, Exception exception);

    [LoggerMessage(3002, LogLevel.Information, "Removed {Count} leftover temp files in account {AccountId}")]
    public static partial void TempFilesSwept(ILogger logger, string accountId, int count);

    [LoggerMessage(3003, LogLevel.Warning, "Store check of account {AccountId}: {Problem}")]
    public static partial void CheckProblem(ILogger logger, string accountId, string problem);

    [LoggerMessage(3004, LogLevel.Warning, "Could not delete unreferenced blobs of account {AccountId}; the store check removes them later")]
    public static partial void BlobCleanupFailed(ILogger logger, string accountId, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Closing an idle mail account failed; it is opened afresh on next use")]
    public static partial void AccountCloseFailed(ILogger logger, Exception exception);
}
