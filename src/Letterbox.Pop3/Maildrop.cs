using Letterbox.Core.Options;
using Letterbox.Store;

namespace Letterbox.Pop3;

/// <summary>
/// A POP3 session's view of INBOX: the list of messages taken at login (RFC 1939 §4), numbered from 1,
/// with the session's deletion marks. Messages that arrive or are expunged over IMAP later do not
/// change the numbers; a message expunged meanwhile fails RETR/TOP and is skipped at QUIT.
/// </summary>
internal sealed class Maildrop : IAsyncDisposable
{
    private static readonly string[] SeenFlag = ["\\Seen"];
    private static readonly string[] DeletedFlag = ["\\Deleted"];

    private readonly IDisposable _lock;
    private readonly bool[] _deleted;
    private readonly bool[] _retrieved;

    private Maildrop(IMailAccount account, long inboxId, IReadOnlyList<MessageRecord> messages, IDisposable lockHandle, Pop3AccountOptions settings)
    {
        Account = account;
        InboxId = inboxId;
        Messages = messages;
        Settings = settings;
        _lock = lockHandle;
        _deleted = new bool[messages.Count];
        _retrieved = new bool[messages.Count];
        Count = messages.Count;
        Size = messages.Sum(m => m.Size);
    }

    public IMailAccount Account { get; }
    public long InboxId { get; }
    public IReadOnlyList<MessageRecord> Messages { get; }
    public Pop3AccountOptions Settings { get; }

    /// <summary>Messages not marked deleted (STAT, LIST, RSET).</summary>
    public int Count { get; private set; }

    /// <summary>Total octets of messages not marked deleted.</summary>
    public long Size { get; private set; }

    /// <summary>Loads INBOX's messages as they are now. Takes ownership of <paramref name="account"/> and <paramref name="lockHandle"/>.</summary>
    public static async Task<Maildrop> OpenAsync(IMailAccount account, IDisposable lockHandle, Pop3AccountOptions settings, CancellationToken ct)
    {
        var inbox = await account.GetMailboxAsync("INBOX", ct).ConfigureAwait(false)
            ?? throw new MailStoreException(MailStoreError.NonExistent, "INBOX does not exist");
        var state = await account.LoadMailboxAsync(inbox.Id, ct).ConfigureAwait(false);
        var uids = state.Messages.Select(m => m.Uid).ToArray();
        var messages = await account.GetMessagesAsync(inbox.Id, uids, MessageFields.Basic, ct).ConfigureAwait(false);
        return new Maildrop(account, inbox.Id, messages, lockHandle, settings);
    }

    /// <summary>Whether <paramref name="number"/> names a message (RFC 1939: 1..n, not marked deleted); otherwise why not.</summary>
    public bool TryGet(int number, out MessageRecord message, out string error)
    {
        message = null!;
        if (number < 1 || number > Messages.Count)
        {
            error = "no such message";
            return false;
        }
        if (_deleted[number - 1])
        {
            error = $"message {number} already deleted";
            return false;
        }
        message = Messages[number - 1];
        error = "";
        return true;
    }

    public bool IsDeleted(int number) => _deleted[number - 1];

    /// <summary>Marks a message that <see cref="TryGet"/> found.</summary>
    public void MarkDeleted(int number)
    {
        if (!_deleted[number - 1])
        {
            _deleted[number - 1] = true;
            Count--;
            Size -= Messages[number - 1].Size;
        }
    }

    public void MarkRetrieved(int number) => _retrieved[number - 1] = true;

    /// <summary>RSET (RFC 1939 §5): every mark of this session is undone.</summary>
    public void Reset()
    {
        Array.Clear(_deleted);
        Array.Clear(_retrieved);
        Count = Messages.Count;
        Size = Messages.Sum(m => m.Size);
    }

    /// <summary>
    /// The UPDATE state (RFC 1939 §6): sets \Seen on retrieved messages when configured, then sets
    /// \Deleted on exactly this session's deleted messages and expunges exactly those UIDs. Returns
    /// how many were asked to be removed and how many were (those already expunged elsewhere count as removed).
    /// </summary>
    public async Task<(int Requested, int Removed)> CommitAsync(CancellationToken ct)
    {
        var doomed = new List<uint>();
        var seen = new List<uint>();
        for (var i = 0; i < Messages.Count; i++)
        {
            if (_deleted[i] || (Settings.DeleteOnRetrieve == true && _retrieved[i]))
            {
                doomed.Add(Messages[i].Uid);
            }
            else if (Settings.MarkSeenOnRetrieve == true && _retrieved[i] && !Messages[i].Flags.Contains("\\Seen", StringComparer.OrdinalIgnoreCase))
            {
                seen.Add(Messages[i].Uid);
            }
        }
        if (seen.Count > 0)
        {
            await Account.StoreFlagsAsync(InboxId, seen, FlagOperation.Add, SeenFlag, ct: ct).ConfigureAwait(false);
        }
        if (doomed.Count == 0)
        {
            return (0, 0);
        }
        await Account.StoreFlagsAsync(InboxId, doomed, FlagOperation.Add, DeletedFlag, ct: ct).ConfigureAwait(false);
        await Account.ExpungeAsync(InboxId, doomed, ct).ConfigureAwait(false);
        // Whatever is still there was not removed (say, another session cleared \Deleted in between).
        var left = await Account.GetMessagesAsync(InboxId, doomed, MessageFields.Basic, ct).ConfigureAwait(false);
        return (doomed.Count, doomed.Count - left.Count);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Account.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Dispose();
        }
    }
}
