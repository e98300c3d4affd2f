using Letterbox.Core.Options;
using Letterbox.Store;

namespace Letterbox.Tests.Accounts;

/// <summary>A fresh directory under the system temp folder, deleted when the test ends.</summary>
internal sealed class TemporaryDataDirectory : IDisposable
{
    public TemporaryDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "letterbox-accounts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string DatabasePath => System.IO.Path.Combine(Path, "directory.db");

    public Task<SqliteAccountDirectory> OpenDirectoryAsync(bool localPartCaseSensitive = false)
        => SqliteAccountDirectory.OpenAsync(DatabasePath, new AccountOptions { LocalPartCaseSensitive = localPartCaseSensitive });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle still open elsewhere; the OS temp cleaner takes it.
        }
    }
}
