using System.CommandLine;
using Letterbox.Hosting;
using Letterbox.Smtp.Delivery;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Cli;

/// <summary>
/// <c>letterbox deliver --to ADDRESS [--mailbox NAME] &lt; message</c>: local delivery for Postfix
/// <c>mailbox_command</c>, procmail or scripts. Exit codes follow sysexits.h, as MTAs expect:
/// 0 delivered, 67 (EX_NOUSER) unknown recipient, 65 (EX_DATAERR) message too big,
/// 75 (EX_TEMPFAIL) anything temporary — the MTA keeps the message and retries.
/// </summary>
internal static class DeliverCommand
{
    public const int Delivered = 0;
    public const int DataError = 65;
    public const int NoUser = 67;
    public const int TemporaryFailure = 75;

    public static Command Create(CliOptions cli)
    {
        var to = new Option<string>("--to") { Description = "Recipient address (a user or an alias)", Required = true };
        var mailbox = new Option<string?>("--mailbox") { Description = "Mailbox to file into (default INBOX; INBOX when it does not exist)" };
        var command = new Command("deliver", "Deliver one message from standard input to a local user");
        command.Options.Add(to);
        command.Options.Add(mailbox);
        command.SetAction(async (result, ct) =>
        {
            try
            {
                return await DeliverAsync(cli.Load(result), result.GetValue(to)!, result.GetValue(mailbox), Console.OpenStandardInput(), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConfigurationException or IOException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                // Whatever went wrong, the MTA still has the message: a temporary failure makes it retry.
                await Console.Error.WriteLineAsync("deliver: temporary failure: " + e.Message).ConfigureAwait(false);
                return TemporaryFailure;
            }
        });
        return command;
    }

    public static async Task<int> DeliverAsync(Core.Options.LetterboxOptions options, string recipient, string? mailboxName, Stream message, CancellationToken ct)
    {
        if (!Directory.Exists(options.DataDirectory))
        {
            await Console.Error.WriteLineAsync($"deliver: data directory {options.DataDirectory} does not exist").ConfigureAwait(false);
            return TemporaryFailure;
        }
        await using var directory = await SqliteAccountDirectory.OpenAsync(DataLayout.DirectoryDatabase(options.DataDirectory), options.Accounts, ct).ConfigureAwait(false);
        await using var store = EmbeddedMailStore.Open(options.DataDirectory, directory, null, options.Limits.MaxMessageSize);
        store.QuotaBytes = options.Accounts.DefaultQuotaBytes;
        // The same pipeline as SMTP and LMTP; the MTA that runs us has written Return-Path and Delivered-To.
        var pipeline = new DeliveryPipeline(store);
        var resolved = await pipeline.ResolveAsync(recipient, ct).ConfigureAwait(false);
        if (resolved.Status != RecipientStatus.Accepted)
        {
            await Console.Error.WriteLineAsync($"deliver: {recipient}: no such user here").ConfigureAwait(false);
            return NoUser;
        }
        if (mailboxName is not null)
        {
            resolved = resolved with { Folder = mailboxName };
        }
        var outcome = (await pipeline.DeliverAsync(new InboundMessage(null, [resolved], null, message), ct).ConfigureAwait(false))[0];
        switch (outcome.Status)
        {
            case DeliveryStatus.Delivered:
                break;
            case DeliveryStatus.TooBig:
                await Console.Error.WriteLineAsync($"deliver: {recipient}: message is larger than {options.Limits.MaxMessageSize} octets").ConfigureAwait(false);
                return DataError;
            case DeliveryStatus.UnknownUser:
                await Console.Error.WriteLineAsync($"deliver: {recipient}: no such user here").ConfigureAwait(false);
                return NoUser;
            default:
                await Console.Error.WriteLineAsync($"deliver: {recipient}: temporary failure ({outcome.Status})").ConfigureAwait(false);
                return TemporaryFailure;
        }
        ChangeRelay.Notify(DataLayout.NotifySocket(options.DataDirectory), resolved.User!.AccountId, outcome.MailboxId!.Value);
        return Delivered;
    }
}
