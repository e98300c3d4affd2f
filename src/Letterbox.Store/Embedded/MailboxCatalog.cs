using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Mailbox-level writes (CREATE, DELETE, RENAME, SUBSCRIBE: RFC 9051 §6.3) run inside the
/// account's writer, and the mailbox reads.
/// </summary>
internal static class MailboxCatalog
{
    private static readonly (string Name, SpecialUse Use)[] Defaults =
    [
        (MailboxName.Inbox, SpecialUse.None),
        ("Sent", SpecialUse.Sent),
        ("Drafts", SpecialUse.Drafts),
        ("Trash", SpecialUse.Trash),
        ("Junk", SpecialUse.Junk),
        ("Archive", SpecialUse.Archive),
    ];

    /// <summary>First open of an account: INBOX and the RFC 6154 special-use mailboxes, all subscribed. Runs once per account.</summary>
    public static bool CreateDefaultsOnce(WriteContext context)
    {
        if (context.Scalar("SELECT value FROM counters WHERE name = 'initialized'") != 0)
        {
            return false;
        }
        foreach (var (name, use) in Defaults)
        {
            if (Find(context, name) is null)
            {
                Insert(context, name, use);
            }
            context.Execute("INSERT OR IGNORE INTO subscriptions(name) VALUES ($n)", ("$n", name));
        }
        context.Execute("UPDATE counters SET value = 1 WHERE name = 'initialized'");
        return true;
    }

    public static MailboxInfo Create(WriteContext context, string name, SpecialUse specialUse)
    {
        name = MailboxName.Normalize(name);
        if (Find(context, name) is not null)
        {
            throw new MailStoreException(MailStoreError.AlreadyExists, $"Mailbox {name} already exists.");
        }
        // RFC 9051 §6.3.4: creating "a/b/c" creates the missing superior names.
        foreach (var ancestor in MailboxName.Ancestors(name))
        {
            if (Find(context, ancestor) is null)
            {
                Insert(context, ancestor, SpecialUse.None);
            }
        }
        return Insert(context, name, specialUse);
    }

    public static bool Delete(WriteContext context, string name)
    {
        name = MailboxName.Normalize(name);
        if (name == MailboxName.Inbox)
        {
            throw new MailStoreException(MailStoreError.CannotDeleteInbox, "INBOX cannot be deleted.");
        }
        var mailbox = Find(context, name) ?? throw NonExistent(name);
        if (context.Scalar("SELECT COUNT(*) FROM mailboxes WHERE substr(name, 1, $len) = $prefix", ("$len", CodePoints(name) + 1), ("$prefix", name + "/")) > 0)
        {
            // RFC 9051 §6.3.5 lets a server keep a \Noselect parent; this store has no \Noselect
            // mailboxes, so a mailbox with inferiors is simply refused.
            throw new MailStoreException(MailStoreError.HasChildren, $"Mailbox {name} has inferior mailboxes; delete them first.");
        }
        var blobs = BlobsOf(context, mailbox.Id);
        context.Execute("DELETE FROM messages WHERE mailbox_id = $m", ("$m", mailbox.Id));
        context.Execute("DELETE FROM expunged WHERE mailbox_id = $m", ("$m", mailbox.Id));
        context.Execute("DELETE FROM mailboxes WHERE id = $m", ("$m", mailbox.Id));
        foreach (var blob in blobs)
        {
            context.ReleaseBlob(blob);
        }
        context.ChangedMailboxes.Add(mailbox.Id);
        return true;
    }

    public static bool Rename(WriteContext context, string from, string to)
    {
        from = MailboxName.Normalize(from);
        to = MailboxName.Normalize(to);
        var source = Find(context, from) ?? throw NonExistent(from);
        if (Find(context, to) is not null)
        {
            throw new MailStoreException(MailStoreError.AlreadyExists, $"Mailbox {to} already exists.");
        }
        // INBOX is the exception: renaming it moves only its messages, so "INBOX/Old" is fine.
        if (from != MailboxName.Inbox && to.StartsWith(from + "/", StringComparison.Ordinal))
        {
            throw new MailStoreException(MailStoreError.InvalidName, "A mailbox cannot be renamed into its own inferior.");
        }
        foreach (var ancestor in MailboxName.Ancestors(to))
        {
            if (Find(context, ancestor) is null)
            {
                Insert(context, ancestor, SpecialUse.None);
            }
        }

        if (source.Name == MailboxName.Inbox)
        {
            // RFC 9051 §6.3.6: renaming INBOX moves all its messages to a new mailbox with the
            // given name, leaving INBOX empty; INBOX's inferiors are not renamed.
            var target = Insert(context, to, SpecialUse.None);
            var uids = new List<uint>();
            using (var command = context.Command("SELECT uid FROM messages WHERE mailbox_id = $m ORDER BY uid"))
            {
                command.Parameters.AddWithValue("$m", source.Id);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    uids.Add((uint)reader.GetInt64(0));
                }
            }
            MessageWrites.Copy(context, source.Id, uids, target.Id, move: true, keepEmailIds: true);
            return true;
        }

        var fromLength = CodePoints(from);
        context.Execute(
            "UPDATE mailboxes SET name = $to || substr(name, $len + 1) WHERE name = $from OR substr(name, 1, $len + 1) = $from || '/'",
            ("$to", to), ("$from", from), ("$len", fromLength));
        // Subscriptions follow the renamed mailboxes, so the client keeps seeing them in LSUB.
        context.Execute(
            "UPDATE OR REPLACE subscriptions SET name = $to || substr(name, $len + 1) WHERE name = $from OR substr(name, 1, $len + 1) = $from || '/'",
            ("$to", to), ("$from", from), ("$len", fromLength));
        context.ChangedMailboxes.Add(source.Id);
        return true;
    }

    public static bool SetSubscribed(WriteContext context, string name, bool subscribed)
    {
        name = MailboxName.Normalize(name);
        if (subscribed)
        {
            // RFC 9051 §6.3.7: SUBSCRIBE of a name that does not exist may be refused; done so here.
            _ = Find(context, name) ?? throw NonExistent(name);
            context.Execute("INSERT OR IGNORE INTO subscriptions(name) VALUES ($n)", ("$n", name));
        }
        else
        {
            context.Execute("DELETE FROM subscriptions WHERE name = $n", ("$n", name));
        }
        return true;
    }

    public static MailboxInfo? Find(WriteContext context, string normalizedName)
    {
        using var command = context.Command(SelectInfo + " WHERE m.name = $n");
        command.Parameters.AddWithValue("$n", normalizedName);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadInfo(reader) : null;
    }

    public const string SelectInfo =
        "SELECT m.id, m.name, m.uid_validity, m.special_use, EXISTS (SELECT 1 FROM subscriptions s WHERE s.name = m.name) FROM mailboxes m";

    public static MailboxInfo ReadInfo(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        (uint)reader.GetInt64(2),
        (SpecialUse)reader.GetInt32(3),
        reader.GetInt64(4) != 0);

    public static MailStoreException NonExistent(string name) =>
        new(MailStoreError.NonExistent, $"Mailbox {name} does not exist.");

    public static MailStoreException NonExistent(long id) =>
        new(MailStoreError.NonExistent, $"Mailbox {id.ToString(CultureInfo.InvariantCulture)} does not exist.");

    private static MailboxInfo Insert(WriteContext context, string name, SpecialUse specialUse)
    {
        // UIDVALIDITY: the creation time in seconds, but always above every value the account
        // handed out before, so a re-created name never repeats one (RFC 9051 §2.3.1.1).
        var last = context.Scalar("SELECT value FROM counters WHERE name = 'uid_validity'");
        var uidValidity = Math.Max(context.Now.ToUnixTimeSeconds(), last + 1);
        if (uidValidity > uint.MaxValue)
        {
            uidValidity = last + 1 <= uint.MaxValue ? last + 1 : 1;
        }
        context.Execute("UPDATE counters SET value = $v WHERE name = 'uid_validity'", ("$v", uidValidity));
        var id = context.Scalar(
            "INSERT INTO mailboxes(name, uid_validity, uid_next, highest_modseq, special_use, created) VALUES ($n, $v, 1, $ms, $su, $c) RETURNING id",
            ("$n", name), ("$v", uidValidity), ("$ms", (long)context.ModSeq), ("$su", (int)specialUse), ("$c", context.Now.ToString("O", CultureInfo.InvariantCulture)));
        var subscribed = context.Scalar("SELECT COUNT(*) FROM subscriptions WHERE name = $n", ("$n", name)) > 0;
        return new MailboxInfo(id, name, (uint)uidValidity, specialUse, subscribed);
    }

    /// <summary>SQLite's substr() counts code points, not UTF-16 units.</summary>
    private static int CodePoints(string text) => text.EnumerateRunes().Count();

    private static List<string> BlobsOf(WriteContext context, long mailboxId)
    {
        var blobs = new List<string>();
        using var command = context.Command("SELECT DISTINCT blob_id FROM messages WHERE mailbox_id = $m");
        command.Parameters.AddWithValue("$m", mailboxId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            blobs.Add(reader.GetString(0));
        }
        return blobs;
    }
}
