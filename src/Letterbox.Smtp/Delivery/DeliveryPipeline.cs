using System.Diagnostics.Metrics;
using System.Text;
using Letterbox.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Smtp.Delivery;

/// <summary>One message to deliver: its envelope, its trace header and its content.</summary>
/// <param name="ReversePath">The MAIL FROM address ("" for &lt;&gt;), written as Return-Path; null: add no Return-Path or Delivered-To (the MTA that runs <c>deliver</c> has done it).</param>
/// <param name="Recipients">Accepted recipients, in RCPT order.</param>
/// <param name="Received">A complete "Received: ..." header with its CRLF, or null.</param>
/// <param name="Content">The message; it must be seekable when the recipients span more than one account.</param>
public sealed record InboundMessage(string? ReversePath, IReadOnlyList<Recipient> Recipients, string? Received, Stream Content);

/// <summary>
/// The one delivery pipeline SMTP, LMTP and <c>letterbox deliver</c> share: recipient resolution
/// (users, aliases, catch-all, "+detail"), then one durable store per account (two aliases of one
/// account get one copy), then a per-recipient outcome. Talks to the store through its contract only.
/// </summary>
public sealed partial class DeliveryPipeline(IMailStore store, ILoggerFactory? loggerFactory = null)
{
    private static readonly Meter Meter = new("Letterbox.Delivery");
    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("letterbox.delivery.recipients");

    private readonly ILogger _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Letterbox.Delivery");

    /// <summary>Resolves a recipient: hosted domain? then user, alias, "+detail", catch-all.</summary>
    public async Task<Recipient> ResolveAsync(string address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return new Recipient(address, RecipientStatus.UnknownUser, null, null);
        }
        if (!await store.Directory.IsLocalDomainAsync(address[(at + 1)..], ct).ConfigureAwait(false))
        {
            return new Recipient(address, RecipientStatus.DomainNotHosted, null, null);
        }
        var user = await store.Directory.ResolveRecipientAsync(address, ct).ConfigureAwait(false);
        if (user is null || user.Disabled)
        {
            return new Recipient(address, RecipientStatus.UnknownUser, null, null);
        }
        // RFC 5233 sub-addressing: "user+detail@domain" files into the folder "detail" when it exists.
        var local = address[..at];
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        var detail = plus > 0 && plus < local.Length - 1 ? local[(plus + 1)..] : null;
        return new Recipient(address, RecipientStatus.Accepted, user, detail);
    }

    /// <summary>Whether the user's account is already full (checked at RCPT time: 452 4.2.2, the sender retries later).</summary>
    public async Task<bool> IsFullAsync(UserRecord user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var account = await store.OpenAccountAsync(user, ct).ConfigureAwait(false);
        await using (account.ConfigureAwait(false))
        {
            return (await account.GetQuotaAsync(ct).ConfigureAwait(false)).IsFull;
        }
    }

    /// <summary>
    /// Stores the message for every accepted recipient and returns one outcome per recipient, in
    /// order. Returns only after every append the outcome calls Delivered is durable.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryOutcome>> DeliverAsync(InboundMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var byAccount = new Dictionary<string, (DeliveryStatus Status, long? MailboxId)>(StringComparer.Ordinal);
        var outcomes = new List<DeliveryOutcome>(message.Recipients.Count);
        foreach (var recipient in message.Recipients)
        {
            if (recipient is not { Status: RecipientStatus.Accepted, User: { } user })
            {
                outcomes.Add(new DeliveryOutcome(recipient, DeliveryStatus.UnknownUser, null));
                continue;
            }
            if (!byAccount.TryGetValue(user.AccountId, out var stored))
            {
                // Two aliases of one account: the first recipient decides the folder; one copy is stored.
                stored = await StoreAsync(message, recipient, user, byAccount.Count > 0, ct).ConfigureAwait(false);
                byAccount[user.AccountId] = stored;
            }
            outcomes.Add(new DeliveryOutcome(recipient, stored.Status, stored.MailboxId));
            Deliveries.Add(1, new KeyValuePair<string, object?>("status", stored.Status.ToString()));
        }
        return outcomes;
    }

    private async Task<(DeliveryStatus, long?)> StoreAsync(InboundMessage message, Recipient recipient, UserRecord user, bool rewind, CancellationToken ct)
    {
        try
        {
            if (rewind)
            {
                message.Content.Position = 0;
            }
            var account = await store.OpenAccountAsync(user, ct).ConfigureAwait(false);
            await using (account.ConfigureAwait(false))
            {
                var target = (recipient.Folder is null ? null : await account.GetMailboxAsync(recipient.Folder, ct).ConfigureAwait(false))
                    ?? await account.GetMailboxAsync("INBOX", ct).ConfigureAwait(false)
                    ?? throw new MailStoreException(MailStoreError.NonExistent, "INBOX is missing");
                var content = new PrefixedStream(TraceHeaders(message, user), message.Content);
                await using (content.ConfigureAwait(false))
                {
                    await account.AppendAsync(target.Id, [new NewMessage(content, [], null)], ct).ConfigureAwait(false);
                }
                DeliveryLog.Delivered(_log, user.Address, target.Name);
                return (DeliveryStatus.Delivered, target.Id);
            }
        }
        catch (MailStoreException e) when (e.Error == MailStoreError.TooBig)
        {
            return (DeliveryStatus.TooBig, null);
        }
        catch (MailStoreException e) when (e.Error == MailStoreError.OverQuota)
        {
            return (DeliveryStatus.OverQuota, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Disk full, I/O or database trouble: nothing was acknowledged, so the sender retries.
            DeliveryLog.Failed(_log, e, user.Address);
            return (DeliveryStatus.TemporaryFailure, null);
        }
    }

    /// <summary>RFC 5321 §4.4: Return-Path and Delivered-To (Postfix's loop marker) on top, then Received.</summary>
    private static byte[] TraceHeaders(InboundMessage message, UserRecord user)
    {
        var headers = new StringBuilder();
        if (message.ReversePath is not null)
        {
            headers.Append("Return-Path: <").Append(message.ReversePath).Append(">\r\n");
            headers.Append("Delivered-To: ").Append(user.Address).Append("\r\n");
        }
        headers.Append(message.Received);
        return Encoding.UTF8.GetBytes(headers.ToString());
    }
}

/// <summary>Delivery log events (ids 4101-4199). Addresses only; never a message body.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "delivered to {User} in {Mailbox}")]
    public static partial void Delivered(ILogger log, string user, string mailbox);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "delivery to {User} failed temporarily")]
    public static partial void Failed(ILogger log, Exception e, string user);
}
