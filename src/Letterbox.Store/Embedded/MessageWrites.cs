using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Message-level writes (APPEND, STORE, EXPUNGE, COPY/MOVE) run inside the account's writer.
/// Each operation takes one MODSEQ from the account counter for everything it changes, and
/// records expunges so CONDSTORE/QRESYNC can report them (RFC 7162 §3.2.5.2).
/// </summary>
internal static class MessageWrites
{
    /// <summary>A message whose blob is staged, ready for its metadata row.</summary>
    public sealed record PendingAppend(StagedBlob Blob, IReadOnlyCollection<string> Flags, DateTimeOffset? InternalDate);

    /// <summary>The account's storage use (RFC 9208 STORAGE): octets of every message, a copy in two mailboxes counted twice.</summary>
    public const string UsageQuery = "SELECT COALESCE(SUM(size), 0) FROM messages";

    public static IReadOnlyList<AppendResult> Append(WriteContext context, long mailboxId, IReadOnlyList<PendingAppend> messages, long quotaBytes = 0)
    {
        if (quotaBytes > 0)
        {
            // Checked inside the writer's transaction, so two deliveries at once cannot both squeeze past the limit.
            using var usage = context.Command(UsageQuery);
            var used = Convert.ToInt64(usage.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (used + messages.Sum(m => m.Blob.Size) > quotaBytes)
            {
                throw new MailStoreException(MailStoreError.OverQuota, "The account's quota would be exceeded.");
            }
        }
        var (uidValidity, uidNext) = MailboxCounters(context, mailboxId);
        if (uidNext + messages.Count > uint.MaxValue)
        {
            throw new MailStoreException(MailStoreError.OverQuota, "The mailbox has used up its UIDs.");
        }
        var modSeq = context.ModSeq;
        var results = new List<AppendResult>(messages.Count);
        using var content = context.Command(
            "INSERT OR IGNORE INTO contents(blob_id, size, envelope, structure, search_text) VALUES ($b, $s, $e, $st, $t)");
        var contentBlob = content.Parameters.Add("$b", Microsoft.Data.Sqlite.SqliteType.Text);
        var contentSize = content.Parameters.Add("$s", Microsoft.Data.Sqlite.SqliteType.Integer);
        var contentEnvelope = content.Parameters.Add("$e", Microsoft.Data.Sqlite.SqliteType.Text);
        var contentStructure = content.Parameters.Add("$st", Microsoft.Data.Sqlite.SqliteType.Text);
        var contentText = content.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Text);
        using var insert = InsertMessage(context);
        foreach (var message in messages)
        {
            var blob = message.Blob;
            contentBlob.Value = blob.BlobId;
            contentSize.Value = blob.Size;
            contentEnvelope.Value = JsonSerializer.Serialize(blob.Ingested.Envelope, StoreJson.Default.MessageEnvelope);
            contentStructure.Value = JsonSerializer.Serialize(blob.Ingested.Structure, StoreJson.Default.MimePartInfo);
            contentText.Value = blob.Ingested.SearchText;
            content.ExecuteNonQuery();

            var flags = FlagSet.Canonical(message.Flags);
            var uid = (uint)uidNext++;
            var internalDate = message.InternalDate ?? context.Now;
            Run(insert, mailboxId, uid, modSeq, flags, internalDate, context.Now, blob.Size, blob.BlobId, NewEmailId());
            results.Add(new AppendResult(mailboxId, uidValidity, uid, modSeq));
        }
        UpdateMailbox(context, mailboxId, uidNext, modSeq);
        context.ChangedMailboxes.Add(mailboxId);
        return results;
    }

    public static FlagStoreResult StoreFlags(WriteContext context, long mailboxId, IReadOnlyList<uint> uids, FlagOperation operation, IReadOnlyCollection<string> flags, ulong? unchangedSince)
    {
        _ = MailboxCounters(context, mailboxId);
        var current = new List<(uint Uid, ulong ModSeq, IReadOnlyList<string> Flags)>();
        using (var select = context.Command("SELECT uid, modseq, flags FROM messages WHERE mailbox_id = $m AND uid IN (SELECT value FROM json_each($u)) ORDER BY uid"))
        {
            select.Parameters.AddWithValue("$m", mailboxId);
            select.Parameters.AddWithValue("$u", UidJson(uids));
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                current.Add(((uint)reader.GetInt64(0), (ulong)reader.GetInt64(1), FlagSet.Split(reader.GetString(2))));
            }
        }

        var changed = new List<MessageState>();
        var failed = new List<uint>();
        using var update = context.Command("UPDATE messages SET flags = $f, seen = $seen, deleted = $del, modseq = $ms WHERE mailbox_id = $m AND uid = $uid");
        var pFlags = update.Parameters.Add("$f", Microsoft.Data.Sqlite.SqliteType.Text);
        var pSeen = update.Parameters.Add("$seen", Microsoft.Data.Sqlite.SqliteType.Integer);
        var pDeleted = update.Parameters.Add("$del", Microsoft.Data.Sqlite.SqliteType.Integer);
        var pModSeq = update.Parameters.Add("$ms", Microsoft.Data.Sqlite.SqliteType.Integer);
        update.Parameters.AddWithValue("$m", mailboxId);
        var pUid = update.Parameters.Add("$uid", Microsoft.Data.Sqlite.SqliteType.Integer);
        foreach (var (uid, modSeq, old) in current)
        {
            // RFC 7162 §3.1.3: UNCHANGEDSINCE refuses messages modified after the given MODSEQ.
            if (unchangedSince is { } limit && modSeq > limit)
            {
                failed.Add(uid);
                continue;
            }
            var updated = FlagSet.Apply(old, operation, flags);
            if (FlagSet.SameSet(old, updated))
            {
                continue;
            }
            var newModSeq = context.ModSeq;
            pFlags.Value = FlagSet.Join(updated);
            pSeen.Value = FlagSet.Contains(updated, FlagSet.Seen) ? 1 : 0;
            pDeleted.Value = FlagSet.Contains(updated, FlagSet.Deleted) ? 1 : 0;
            pModSeq.Value = (long)newModSeq;
            pUid.Value = (long)uid;
            update.ExecuteNonQuery();
            changed.Add(new MessageState(uid, newModSeq, updated));
        }
        if (changed.Count > 0)
        {
            context.Execute("UPDATE mailboxes SET highest_modseq = $ms WHERE id = $m", ("$ms", (long)context.ModSeq), ("$m", mailboxId));
            context.ChangedMailboxes.Add(mailboxId);
        }
        return new FlagStoreResult(changed, failed);
    }

    public static IReadOnlyList<uint> Expunge(WriteContext context, long mailboxId, IReadOnlyList<uint>? uids)
    {
        _ = MailboxCounters(context, mailboxId);
        var victims = new List<(uint Uid, string Blob)>();
        var sql = "SELECT uid, blob_id FROM messages WHERE mailbox_id = $m AND deleted = 1"
            + (uids is null ? "" : " AND uid IN (SELECT value FROM json_each($u))")
            + " ORDER BY uid";
        using (var select = context.Command(sql))
        {
            select.Parameters.AddWithValue("$m", mailboxId);
            if (uids is not null)
            {
                select.Parameters.AddWithValue("$u", UidJson(uids));
            }
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                victims.Add(((uint)reader.GetInt64(0), reader.GetString(1)));
            }
        }
        if (victims.Count == 0)
        {
            return [];
        }
        Remove(context, mailboxId, victims, context.ModSeq);
        context.Execute("UPDATE mailboxes SET highest_modseq = $ms WHERE id = $m", ("$ms", (long)context.ModSeq), ("$m", mailboxId));
        context.ChangedMailboxes.Add(mailboxId);
        return victims.ConvertAll(v => v.Uid);
    }

    /// <summary>
    /// COPY (RFC 9051 §6.4.7) or MOVE (RFC 9051 §6.4.8, in one transaction: copy, then expunge
    /// the sources). A copy shares the blob and gets a fresh EMAILID; a move keeps it (RFC 8474 §5.1).
    /// </summary>
    public static CopyResult Copy(WriteContext context, long sourceId, IReadOnlyList<uint> uids, long destinationId, bool move, bool keepEmailIds = false)
    {
        _ = MailboxCounters(context, sourceId);
        var (destinationValidity, uidNext) = MailboxCounters(context, destinationId);
        var sources = new List<(uint Uid, string Flags, string InternalDate, long Size, string Blob, string EmailId)>();
        using (var select = context.Command(
            "SELECT uid, flags, internal_date, size, blob_id, email_id FROM messages WHERE mailbox_id = $m AND uid IN (SELECT value FROM json_each($u)) ORDER BY uid"))
        {
            select.Parameters.AddWithValue("$m", sourceId);
            select.Parameters.AddWithValue("$u", UidJson(uids));
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                sources.Add(((uint)reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5)));
            }
        }
        if (sources.Count == 0)
        {
            return new CopyResult(destinationValidity, [], []);
        }
        if (uidNext + sources.Count > uint.MaxValue)
        {
            throw new MailStoreException(MailStoreError.OverQuota, "The destination mailbox has used up its UIDs.");
        }

        var modSeq = context.ModSeq;
        if (move)
        {
            // Expunge first: the moved rows keep their EMAILID, which is unique in the account.
            Remove(context, sourceId, sources.ConvertAll(s => (s.Uid, s.Blob)), modSeq, releaseBlobs: false);
            context.Execute("UPDATE mailboxes SET highest_modseq = $ms WHERE id = $m", ("$ms", (long)modSeq), ("$m", sourceId));
            context.ChangedMailboxes.Add(sourceId);
        }

        var destinationUids = new List<uint>(sources.Count);
        using var insert = InsertMessage(context);
        foreach (var source in sources)
        {
            var uid = (uint)uidNext++;
            var internalDate = DateTimeOffset.Parse(source.InternalDate, CultureInfo.InvariantCulture);
            var emailId = move || keepEmailIds ? source.EmailId : NewEmailId();
            Run(insert, destinationId, uid, modSeq, FlagSet.Split(source.Flags), internalDate, context.Now, source.Size, source.Blob, emailId);
            destinationUids.Add(uid);
        }
        UpdateMailbox(context, destinationId, uidNext, modSeq);
        context.ChangedMailboxes.Add(destinationId);
        return new CopyResult(destinationValidity, sources.ConvertAll(s => s.Uid), destinationUids);
    }

    /// <summary>UIDs as a JSON array for <c>json_each</c>: one parameter for any number of UIDs.</summary>
    public static string UidJson(IReadOnlyList<uint> uids)
    {
        var builder = new StringBuilder(uids.Count * 7 + 2);
        builder.Append('[');
        for (var i = 0; i < uids.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }
            builder.Append(uids[i].ToString(CultureInfo.InvariantCulture));
        }
        return builder.Append(']').ToString();
    }

    /// <summary>Fresh EMAILID (RFC 8474 §5.1 objectid: 1-255 of ALPHA / DIGIT / "-" / "_"): "M" and 24 hex digits.</summary>
    private static string NewEmailId() => "M" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static (uint UidValidity, long UidNext) MailboxCounters(WriteContext context, long mailboxId)
    {
        using var command = context.Command("SELECT uid_validity, uid_next FROM mailboxes WHERE id = $m");
        command.Parameters.AddWithValue("$m", mailboxId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw MailboxCatalog.NonExistent(mailboxId);
        }
        return ((uint)reader.GetInt64(0), reader.GetInt64(1));
    }

    private static void UpdateMailbox(WriteContext context, long mailboxId, long uidNext, ulong modSeq) =>
        context.Execute("UPDATE mailboxes SET uid_next = $n, highest_modseq = $ms WHERE id = $m", ("$n", uidNext), ("$ms", (long)modSeq), ("$m", mailboxId));

    private static void Remove(WriteContext context, long mailboxId, List<(uint Uid, string Blob)> victims, ulong modSeq, bool releaseBlobs = true)
    {
        using var delete = context.Command("DELETE FROM messages WHERE mailbox_id = $m AND uid = $uid");
        delete.Parameters.AddWithValue("$m", mailboxId);
        var pDeleteUid = delete.Parameters.Add("$uid", Microsoft.Data.Sqlite.SqliteType.Integer);
        using var record = context.Command("INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq) VALUES ($m, $uid, $ms)");
        record.Parameters.AddWithValue("$m", mailboxId);
        record.Parameters.AddWithValue("$ms", (long)modSeq);
        var pRecordUid = record.Parameters.Add("$uid", Microsoft.Data.Sqlite.SqliteType.Integer);
        foreach (var (uid, _) in victims)
        {
            pDeleteUid.Value = (long)uid;
            delete.ExecuteNonQuery();
            pRecordUid.Value = (long)uid;
            record.ExecuteNonQuery();
        }
        if (releaseBlobs)
        {
            foreach (var blob in victims.Select(v => v.Blob).Distinct(StringComparer.Ordinal))
            {
                context.ReleaseBlob(blob);
            }
        }
    }

    private static Microsoft.Data.Sqlite.SqliteCommand InsertMessage(WriteContext context)
    {
        var insert = context.Command(
            "INSERT INTO messages(mailbox_id, uid, modseq, flags, seen, deleted, internal_date, save_date, size, blob_id, email_id) " +
            "VALUES ($m, $uid, $ms, $f, $seen, $del, $id, $sd, $size, $b, $e)");
        foreach (var name in (string[])["$m", "$uid", "$ms", "$f", "$seen", "$del", "$id", "$sd", "$size", "$b", "$e"])
        {
            insert.Parameters.AddWithValue(name, DBNull.Value);
        }
        return insert;
    }

    private static void Run(Microsoft.Data.Sqlite.SqliteCommand insert, long mailboxId, uint uid, ulong modSeq, IReadOnlyList<string> flags, DateTimeOffset internalDate, DateTimeOffset saveDate, long size, string blobId, string emailId)
    {
        var p = insert.Parameters;
        p["$m"].Value = mailboxId;
        p["$uid"].Value = (long)uid;
        p["$ms"].Value = (long)modSeq;
        p["$f"].Value = FlagSet.Join(flags);
        p["$seen"].Value = FlagSet.Contains(flags, FlagSet.Seen) ? 1 : 0;
        p["$del"].Value = FlagSet.Contains(flags, FlagSet.Deleted) ? 1 : 0;
        p["$id"].Value = internalDate.ToString("O", CultureInfo.InvariantCulture);
        p["$sd"].Value = saveDate.ToString("O", CultureInfo.InvariantCulture);
        p["$size"].Value = size;
        p["$b"].Value = blobId;
        p["$e"].Value = emailId;
        insert.ExecuteNonQuery();
    }
}
