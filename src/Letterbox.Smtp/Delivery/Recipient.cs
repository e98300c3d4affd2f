using Letterbox.Store;

namespace Letterbox.Smtp.Delivery;

/// <summary>What the directory says about a recipient address (checked at RCPT time, RFC 5321 §3.3).</summary>
public enum RecipientStatus
{
    /// <summary>A user, an alias or a catch-all of a hosted domain receives it.</summary>
    Accepted,
    /// <summary>The domain is hosted here but nobody receives this address (550 5.1.1).</summary>
    UnknownUser,
    /// <summary>The domain is not hosted here (550 5.1.2 over LMTP; 554 5.7.1 over SMTP: no relaying).</summary>
    DomainNotHosted,
}

/// <summary>
/// A recipient address and what it resolved to. <see cref="Folder"/> is the mailbox asked for by
/// "+detail" sub-addressing (or by <c>deliver --mailbox</c>); INBOX is used when it does not exist.
/// </summary>
public sealed record Recipient(string Address, RecipientStatus Status, UserRecord? User, string? Folder);

/// <summary>How a delivery to one recipient ended.</summary>
public enum DeliveryStatus
{
    Delivered,
    UnknownUser,
    /// <summary>Nothing stored; the sender should try again later (451 4.3.0).</summary>
    TemporaryFailure,
    /// <summary>Larger than the store accepts (552 5.3.4).</summary>
    TooBig,
    /// <summary>The account is over quota (552 5.2.2).</summary>
    OverQuota,
    /// <summary>Refused by the sender checks: DMARC p=reject failed and Smtp:RejectDmarcFailures is on (550 5.7.1).</summary>
    Rejected,
    /// <summary>A DNS error left DMARC undecided and Smtp:DeferOnDnsErrors is on: try later (451 4.4.3).</summary>
    Deferred,
}

/// <summary>The outcome for one recipient; <see cref="MailboxId"/> is where it was stored when delivered.</summary>
public sealed record DeliveryOutcome(Recipient Recipient, DeliveryStatus Status, long? MailboxId);
