using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Letterbox.Store.Embedded;

/// <summary>
/// <c>letterbox store check</c>: every account database opens and passes
/// <c>PRAGMA integrity_check</c>; every referenced blob exists and hashes to its name; files
/// that no row refers to (orphans of a crash between blob write and commit, leftover temp
/// files) are listed, and removed when repairing.
/// </summary>
internal sealed class StoreCheck(ILogger logger, TimeSpan orphanGrace)
{
    private readonly List<string> _problems = [];
    private int _accounts;
    private int _messages;
    private int _blobs;
    private int _removed;

    public async Task<StoreCheckReport> RunAsync(string accountsDirectory, Func<string, Task<AccountLease>> open, bool repair, CancellationToken ct)
    {
        foreach (var folder in System.IO.Directory.EnumerateDirectories(accountsDirectory).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var accountId = Path.GetFileName(folder);
            if (!EmbeddedMailStore.IsValidAccountId(accountId) || !File.Exists(Path.Combine(folder, "mail.db")))
            {
                continue;
            }
            _accounts++;
            AccountLease lease;
            try
            {
                lease = await open(accountId).ConfigureAwait(false);
            }
            catch (MailStoreException ex)
            {
                Problem(accountId, "database cannot be opened: " + ex.Message);
                continue;
            }
            using (lease)
            {
                await CheckAccountAsync(lease.Database, repair, ct).ConfigureAwait(false);
            }
        }
        return new StoreCheckReport(_accounts, _messages, _blobs, _problems, _removed);
    }

    private async Task CheckAccountAsync(AccountDatabase account, bool repair, CancellationToken ct)
    {
        var id = account.AccountId;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var connection = await account.ReadAsync(ct).ConfigureAwait(false);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA integrity_check";
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var line = reader.GetString(0);
                    if (line != "ok")
                    {
                        Problem(id, "integrity_check: " + line);
                    }
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT COUNT(*) FROM messages";
                _messages += Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT DISTINCT m.blob_id FROM messages m LEFT JOIN contents c ON c.blob_id = m.blob_id WHERE c.blob_id IS NULL";
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    Problem(id, $"messages refer to blob {reader.GetString(0)} that has no content row");
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT blob_id, size FROM contents";
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var blobId = reader.GetString(0);
                    referenced.Add(blobId);
                    _blobs++;
                    await CheckBlobAsync(account, blobId, reader.GetInt64(1), ct).ConfigureAwait(false);
                }
            }
        }
        catch (SqliteException ex)
        {
            Problem(id, "database error: " + ex.Message);
            return;
        }

        // The reference set was read before listing files: a candidate orphan is looked up again
        // (under the blob lock, after its append released it), so a running append never loses its file.
        var orphans = account.Blobs.SweepOrphans(name => referenced.Contains(name) || account.IsReferencedNow(name), repair, orphanGrace);
        if (repair)
        {
            _removed += orphans.Count;
        }
        else
        {
            foreach (var orphan in orphans)
            {
                Problem(id, $"orphan file blobs/{orphan} (run with repair to remove it)");
            }
        }
    }

    private async Task CheckBlobAsync(AccountDatabase account, string blobId, long size, CancellationToken ct)
    {
        var path = account.Blobs.PathOf(blobId);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
            if (hash != blobId)
            {
                Problem(account.AccountId, $"blob {blobId} is corrupted (its content hashes to {hash})");
            }
            else if (file.Length != size)
            {
                Problem(account.AccountId, $"blob {blobId} has {file.Length} octets, the database says {size}");
            }
        }
        catch (FileNotFoundException)
        {
            Problem(account.AccountId, $"blob {blobId} is missing");
        }
        catch (DirectoryNotFoundException)
        {
            Problem(account.AccountId, $"blob {blobId} is missing");
        }
        catch (IOException ex)
        {
            Problem(account.AccountId, $"blob {blobId} cannot be read: {ex.Message}");
        }
    }

    private void Problem(string accountId, string problem)
    {
        StoreLog.CheckProblem(logger, accountId, problem);
        _problems.Add($"{accountId}: {problem}");
    }
}
