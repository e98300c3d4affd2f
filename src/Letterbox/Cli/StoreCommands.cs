using System.CommandLine;
using Letterbox.Hosting;
using Letterbox.Store;
using Letterbox.Store.Embedded;

namespace Letterbox.Cli;

/// <summary><c>letterbox store check [--repair]</c>: verifies every account's database and blobs.</summary>
internal static class StoreCommands
{
    public static Command Create(CliOptions cli)
    {
        var repair = new Option<bool>("--repair") { Description = "Remove orphan blobs and leftover temporary files" };
        var check = new Command("check", "Check the integrity of the store: databases, blobs and their hashes");
        check.Options.Add(repair);
        check.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            var options = cli.Load(result);
            await using var directory = await SqliteAccountDirectory.OpenAsync(DataLayout.DirectoryDatabase(options.DataDirectory), options.Accounts, ct).ConfigureAwait(false);
            await using var store = EmbeddedMailStore.Open(options.DataDirectory, directory, null, options.Limits.MaxMessageSize);
            var report = await store.CheckAsync(result.GetValue(repair), ct).ConfigureAwait(false);
            Console.WriteLine($"accounts: {report.Accounts}, messages: {report.Messages}, blobs: {report.Blobs}, orphan blobs removed: {report.OrphanBlobsRemoved}");
            foreach (var problem in report.Problems)
            {
                Console.WriteLine("problem: " + problem);
            }
            Console.WriteLine(report.Healthy ? "store is healthy" : $"store has {report.Problems.Count} problem(s)");
            return report.Healthy ? 0 : 1;
        }));
        var store = new Command("store", "Maintain the mail store");
        store.Subcommands.Add(check);
        return store;
    }
}
