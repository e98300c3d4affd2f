namespace Letterbox.Hosting;

/// <summary>Where things live in the data directory (see docs/operations.md).</summary>
public static class DataLayout
{
    public static string DirectoryDatabase(string dataDirectory) => Path.Combine(dataDirectory, "directory.db");
    public static string TlsDirectory(string dataDirectory) => Path.Combine(dataDirectory, "tls");
    public static string NotifySocket(string dataDirectory) => Path.Combine(dataDirectory, "letterbox.sock");
    public static string DemoPasswordFile(string dataDirectory) => Path.Combine(dataDirectory, "demo-password.txt");
}
