using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Letterbox.Store.Embedded;

/// <summary>
/// Read queries of one account; each runs on a pooled read connection (WAL snapshot) and takes its
/// commands from that connection's <see cref="PreparedStatements"/> (compiled once per connection).
/// </summary>
internal static class MessageReads
{
    public static async Task<MailboxStatus> StatusAsync(PreparedStatements statements, long mailboxId, CancellationToken ct)
    {
        await using var command = statements.Command("""
            SELECT b.uid_validity, b.uid_next, b.highest_modseq,
                   COUNT(m.uid), COALESCE(SUM(m.seen = 0), 0), COALESCE(SUM(m.size), 0), COALESCE(SUM(m.deleted), 0)
            FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id
            WHERE b.id = $m GROUP BY b.id
            """);
        command.Parameters.AddWithValue("$m", mailboxId);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            throw MailboxCatalog.NonExistent(mailboxId);
        }
        return new MailboxStatus(
            mailboxId,
            reader.GetInt32(3),
            reader.GetInt32(4),
            (uint)reader.GetInt64(1),
            (uint)reader.GetInt64(0),
            (ulong)reader.GetInt64(2),
            reader.GetInt64(5),
            reader.GetInt32(6));
    }

    public static async Task<MailboxState> LoadAsync(PreparedStatements statements, long mailboxId, CancellationToken ct)
    {
        // One read transaction: the mailbox row and its messages come from the same snapshot.
        // Deferred: a read snapshot, never the write lock (BEGIN IMMEDIATE is the default here).
        await using var transaction = statements.Connection.BeginTransaction(deferred: true);
        var (info, uidNext, highest) = await MailboxRowAsync(statements, transaction, mailboxId, ct).ConfigureAwait(false);
        var messages = new List<MessageState>();
        await using (var command = statements.Command("SELECT uid, modseq, flags FROM messages WHERE mailbox_id = $m ORDER BY uid", transaction))
        {
            command.Parameters.AddWithValue("$m", mailboxId);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                messages.Add(new MessageState((uint)reader.GetInt64(0), (ulong)reader.GetInt64(1), FlagSet.Split(reader.GetString(2))));
            }
        }
        return new MailboxState(info, uidNext, highest, messages);
    }

    /// <summary>
    /// "What changed since MODSEQ" in one statement: the mailbox row (kind 0), the messages changed
    /// after it (kind 1) and the UIDs expunged after it (kind 2). One SELECT reads one snapshot, so
    /// no explicit read transaction is needed, and a refresh costs one kept statement (issue 6).
    /// </summary>
    private const string ChangesSinceSql = """
        SELECT 0, uid_next, highest_modseq, NULL FROM mailboxes WHERE id = $m
        UNION ALL
        SELECT 1, uid, modseq, flags FROM messages WHERE mailbox_id = $m AND modseq > $ms
        UNION ALL
        SELECT 2, uid, modseq, NULL FROM expunged WHERE mailbox_id = $m AND modseq > $ms
        ORDER BY 1, 2
        """;

    public static async Task<MailboxDelta> ChangesSinceAsync(PreparedStatements statements, long mailboxId, ulong modSeq, CancellationToken ct)
    {
        var found = false;
        uint uidNext = 0;
        ulong highest = 0;
        var changed = new List<MessageState>();
        var expunged = new List<uint>();
        await using (var command = statements.Command(ChangesSinceSql))
        {
            command.Parameters.AddWithValue("$m", mailboxId);
            command.Parameters.AddWithValue("$ms", (long)Math.Min(modSeq, long.MaxValue));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        found = true;
                        uidNext = (uint)reader.GetInt64(1);
                        highest = (ulong)reader.GetInt64(2);
                        break;
                    case 1:
                        changed.Add(new MessageState((uint)reader.GetInt64(1), (ulong)reader.GetInt64(2), FlagSet.Split(reader.GetString(3))));
                        break;
                    default:
                        expunged.Add((uint)reader.GetInt64(1));
                        break;
                }
            }
        }
        if (!found)
        {
            throw MailboxCatalog.NonExistent(mailboxId);
        }
        return new MailboxDelta(highest, uidNext, changed, expunged);
    }

    public static async Task<IReadOnlyList<MessageRecord>> MessagesAsync(PreparedStatements statements, long mailboxId, IReadOnlyList<uint> uids, MessageFields fields, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT m.uid, m.modseq, m.flags, m.internal_date, m.save_date, m.size, m.blob_id, m.email_id");
        var joinContents = (fields & (MessageFields.Envelope | MessageFields.Structure | MessageFields.SearchText)) != 0;
        sql.Append(fields.HasFlag(MessageFields.Envelope) ? ", c.envelope" : ", NULL");
        sql.Append(fields.HasFlag(MessageFields.Structure) ? ", c.structure" : ", NULL");
        sql.Append(fields.HasFlag(MessageFields.SearchText) ? ", c.search_text" : ", NULL");
        sql.Append(" FROM messages m");
        if (joinContents)
        {
            sql.Append(" LEFT JOIN contents c ON c.blob_id = m.blob_id");
        }
        sql.Append(" WHERE m.mailbox_id = $m AND m.uid IN (SELECT value FROM json_each($u)) ORDER BY m.uid");

        await using var command = statements.Command(sql.ToString());
        command.Parameters.AddWithValue("$m", mailboxId);
        command.Parameters.AddWithValue("$u", MessageWrites.UidJson(uids));
        var result = new List<MessageRecord>(uids.Count);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(new MessageRecord
            {
                Uid = (uint)reader.GetInt64(0),
                ModSeq = (ulong)reader.GetInt64(1),
                Flags = FlagSet.Split(reader.GetString(2)),
                InternalDate = DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                SaveDate = DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                Size = reader.GetInt64(5),
                BlobId = reader.GetString(6),
                EmailId = reader.GetString(7),
                Envelope = reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), StoreJson.Default.MessageEnvelope),
                Structure = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize(reader.GetString(9), StoreJson.Default.MimePartInfo),
                SearchText = reader.IsDBNull(10) ? null : reader.GetString(10),
            });
        }
        return result;
    }

    public static async Task<IReadOnlyList<MailboxInfo>> ListAsync(PreparedStatements statements, CancellationToken ct)
    {
        await using var command = statements.Command(MailboxCatalog.SelectInfo + " ORDER BY m.name");
        var result = new List<MailboxInfo>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(MailboxCatalog.ReadInfo(reader));
        }
        return result;
    }

    public static async Task<MailboxInfo?> FindAsync(PreparedStatements statements, string normalizedName, CancellationToken ct)
    {
        await using var command = statements.Command(MailboxCatalog.SelectInfo + " WHERE m.name = $n");
        command.Parameters.AddWithValue("$n", normalizedName);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? MailboxCatalog.ReadInfo(reader) : null;
    }

    public static async Task<IReadOnlyList<string>> SubscriptionsAsync(PreparedStatements statements, CancellationToken ct)
    {
        await using var command = statements.Command("SELECT name FROM subscriptions ORDER BY name");
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    private static async Task<(MailboxInfo Info, uint UidNext, ulong HighestModSeq)> MailboxRowAsync(PreparedStatements statements, SqliteTransaction transaction, long mailboxId, CancellationToken ct)
    {
        await using var command = statements.Command("SELECT m.id, m.name, m.uid_validity, m.special_use, EXISTS (SELECT 1 FROM subscriptions s WHERE s.name = m.name), m.uid_next, m.highest_modseq FROM mailboxes m WHERE m.id = $m", transaction);
        command.Parameters.AddWithValue("$m", mailboxId);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            throw MailboxCatalog.NonExistent(mailboxId);
        }
        return (MailboxCatalog.ReadInfo(reader), (uint)reader.GetInt64(5), (ulong)reader.GetInt64(6));
    }
}
