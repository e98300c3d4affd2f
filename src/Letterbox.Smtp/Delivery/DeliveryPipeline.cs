using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Letterbox.Smtp.Authentication;
using Letterbox.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Smtp.Delivery;

/// <summary>One message to deliver: its envelope, its trace header and its content.</summary>
/// <param name="ReversePath">The MAIL FROM address ("" for &lt;&gt;), written as Return-Path; null: add no Return-Path or Delivered-To (the MTA that runs <c>deliver</c> has done it).</param>
/// <param name="Recipients">Accepted recipients, in RCPT order.</param>
/// <param name="Received">A complete "Received: ..." header with its CRLF, or null.</param>
/// <param name="Content">The message; it must be seekable when the recipients span more than one account or the checks run.</param>
/// <param name="ClientAddress">The SMTP client's address; null: no sender checks (SPF/DKIM/DMARC/ARC) for this message.</param>
/// <param name="HeloName">What the client said in HELO/EHLO/LHLO (SPF's HELO identity).</param>
public sealed record InboundMessage(string? ReversePath, IReadOnlyList<Recipient> Recipients, string? Received, Stream Content, IPAddress? ClientAddress = null, string? HeloName = null);

/// <summary>
/// The one delivery pipeline SMTP, LMTP and <c>letterbox deliver</c> share: recipient resolution
/// (users, aliases, catch-all, "+detail"), then one durable store per account (two aliases of one
/// account get one copy), then a per-recipient outcome. Talks to the store through its contract only.
/// With an <paramref name="authenticator"/>, each message with a client address is checked once
/// (SPF, DKIM, DMARC, ARC) before it is stored: the verdict decides INBOX, Junk or a refusal, and the
/// Authentication-Results header is prepended to the trace headers.
/// </summary>
public sealed partial class DeliveryPipeline(IMailStore store, ILoggerFactory? loggerFactory = null, MessageAuthenticator? authenticator = null)
{
    private static readonly Meter Meter = new("Letterbox.Delivery");
    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("letterbox.delivery.recipients");
    private static readonly Counter<long> Verdicts = Meter.CreateCounter<long>("letterbox.delivery.authentication");

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

    /// <summary>
    /// Stores the message for every accepted recipient and returns one outcome per recipient, in
    /// order. Returns only after every append the outcome calls Delivered is durable.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryOutcome>> DeliverAsync(InboundMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var byAccount = new Dictionary<string, (DeliveryStatus Status, long? MailboxId)>(StringComparer.Ordinal);
        var outcomes = new List<DeliveryOutcome>(message.Recipients.Count);
        var check = await CheckAsync(message, ct).ConfigureAwait(false);
        var refusal = check?.Verdict switch
        {
            AuthenticationVerdict.Reject => DeliveryStatus.Rejected,
            AuthenticationVerdict.Defer => DeliveryStatus.Deferred,
            _ => (DeliveryStatus?)null,
        };
        foreach (var recipient in message.Recipients)
        {
            if (recipient is not { Status: RecipientStatus.Accepted, User: { } user })
            {
                outcomes.Add(new DeliveryOutcome(recipient, DeliveryStatus.UnknownUser, null));
                continue;
            }
            if (refusal is { } refused)
            {
                outcomes.Add(new DeliveryOutcome(recipient, refused, null));
                Deliveries.Add(1, new KeyValuePair<string, object?>("status", refused.ToString()));
                continue;
            }
            if (!byAccount.TryGetValue(user.AccountId, out var stored))
            {
                // Two aliases of one account: the first recipient decides the folder; one copy is stored.
                stored = await StoreAsync(message, check, recipient, user, byAccount.Count > 0, ct).ConfigureAwait(false);
                byAccount[user.AccountId] = stored;
            }
            outcomes.Add(new DeliveryOutcome(recipient, stored.Status, stored.MailboxId));
            Deliveries.Add(1, new KeyValuePair<string, object?>("status", stored.Status.ToString()));
        }
        return outcomes;
    }

    /// <summary>
    /// Runs the sender checks once for the message, when configured and the client address is known.
    /// Checks that break (not a DNS answer: a bug, an I/O error) must not lose the message: it is
    /// delivered without an Authentication-Results header and the failure is logged.
    /// </summary>
    private async Task<AuthenticationCheck?> CheckAsync(InboundMessage message, CancellationToken ct)
    {
        if (authenticator is null || message.ClientAddress is not { } client || !message.Recipients.Any(r => r.Status == RecipientStatus.Accepted))
        {
            return null;
        }
        try
        {
            var check = await authenticator.CheckAsync(client, message.HeloName ?? "", message.ReversePath ?? "", message.Content, ct).ConfigureAwait(false);
            Verdicts.Add(1, new KeyValuePair<string, object?>("verdict", check.Verdict.ToString()));
            var report = check.Report;
            DeliveryLog.Checked(_log, client, report.Spf.Result, string.Join(',', report.Dkim.Select(d => d.Result)), report.Dmarc.Result, report.Dmarc.FromDomain ?? "", check.Verdict);
            return check;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            DeliveryLog.CheckFailed(_log, e, client);
            message.Content.Position = 0;
            return null;
        }
    }

    private async Task<(DeliveryStatus, long?)> StoreAsync(InboundMessage message, AuthenticationCheck? check, Recipient recipient, UserRecord user, bool rewind, CancellationToken ct)
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
                var target = check?.Verdict == AuthenticationVerdict.Junk ? await JunkAsync(account, ct).ConfigureAwait(false)
                    : (recipient.Folder is null ? null : await account.GetMailboxAsync(recipient.Folder, ct).ConfigureAwait(false))
                    ?? await account.GetMailboxAsync("INBOX", ct).ConfigureAwait(false)
                    ?? throw new MailStoreException(MailStoreError.NonExistent, "INBOX is missing");
                // RFC 8601 §5: Authentication-Results fields claiming to be ours are not stored.
                var body = check is { ForgedFields.Count: > 0 } ? new ExcisedStream(message.Content, check.ForgedFields) : message.Content;
                var content = new PrefixedStream(TraceHeaders(message, check, user), body);
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

    /// <summary>
    /// The account's \Junk mailbox (RFC 6154); created as "Junk" when the user has deleted it.
    /// </summary>
    private static async Task<MailboxInfo> JunkAsync(IMailAccount account, CancellationToken ct)
    {
        var mailboxes = await account.ListMailboxesAsync(ct).ConfigureAwait(false);
        if (mailboxes.FirstOrDefault(m => m.SpecialUse.HasFlag(SpecialUse.Junk)) is { } junk)
        {
            return junk;
        }
        try
        {
            return await account.CreateMailboxAsync("Junk", SpecialUse.Junk, ct).ConfigureAwait(false);
        }
        catch (MailStoreException e) when (e.Error == MailStoreError.AlreadyExists)
        {
            // A "Junk" without the special use (made by a client, or another delivery just now): use it.
            return await account.GetMailboxAsync("Junk", ct).ConfigureAwait(false)
                ?? throw new MailStoreException(MailStoreError.NonExistent, "Junk vanished while it was being created");
        }
    }

    /// <summary>
    /// RFC 5321 §4.4: Return-Path and Delivered-To (Postfix's loop marker) on top, then
    /// Authentication-Results (RFC 8601 §5: added above the Received field of the hop it judges), then Received.
    /// </summary>
    private static byte[] TraceHeaders(InboundMessage message, AuthenticationCheck? check, UserRecord user)
    {
        var headers = new StringBuilder();
        if (message.ReversePath is not null)
        {
            headers.Append("Return-Path: <").Append(message.ReversePath).Append(">\r\n");
            headers.Append("Delivered-To: ").Append(user.Address).Append("\r\n");
        }
        headers.Append(check?.Header);
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

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "sender checks for {Client}: spf={Spf} dkim={Dkim} dmarc={Dmarc} from={FromDomain}: {Verdict}")]
    public static partial void Checked(ILogger log, IPAddress client, SpfResult spf, string dkim, DmarcResult dmarc, string fromDomain, AuthenticationVerdict verdict);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "sender checks for {Client} failed; delivering without Authentication-Results")]
    public static partial void CheckFailed(ILogger log, Exception e, IPAddress client);
}
