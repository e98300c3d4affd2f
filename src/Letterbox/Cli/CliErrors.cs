using Letterbox.Hosting;
using Letterbox.Net;
using Letterbox.Store;

namespace Letterbox.Cli;

/// <summary>Turns the errors an admin can fix into one line on stderr and exit code 1.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConfigurationException or CertificateException or ListenerException or DirectoryException or MailStoreException or FormatException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
