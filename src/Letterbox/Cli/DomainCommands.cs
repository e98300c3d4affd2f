using System.CommandLine;
using System.Runtime.CompilerServices;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Store;
using Microsoft.Data.Sqlite;

// The account commands are run in-process by the tests (tests/Letterbox.Tests/Accounts).
[assembly: InternalsVisibleTo("Letterbox.Tests")]

namespace Letterbox.Cli;

/// <summary><c>letterbox domain add|list|remove</c>: the domains this server receives mail for.</summary>
internal static class DomainCommands
{
    internal static Command Create(Func<ParseResult, LetterboxOptions> loadOptions)
    {
        var command = new Command("domain", "Add, list and remove the domains this server receives mail for");

        var addName = new Argument<string>("domain") { Description = "Domain name, e.g. example.org or bücher.example" };
        var add = new Command("add", "Host a domain: mail for its addresses is accepted and its users can log in");
        add.Arguments.Add(addName);
        add.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            var domain = await context.Directory.AddDomainAsync(r.GetValue(addName) ?? "", ct);
            await context.Output.WriteLineAsync($"added domain {AccountCommand.ShowDomain(domain.Name)}");
            return 0;
        }, ct));

        var list = new Command("list", "List the hosted domains");
        list.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            foreach (var domain in await context.Directory.ListDomainsAsync(ct))
            {
                await context.Output.WriteLineAsync(AccountCommand.ShowDomain(domain.Name));
            }

            return 0;
        }, ct));

        var removeName = new Argument<string>("domain") { Description = "Domain name" };
        var remove = new Command("remove", "Stop hosting a domain (refused while it still has users or aliases)");
        remove.Arguments.Add(removeName);
        remove.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            var name = r.GetValue(removeName) ?? "";
            await context.Directory.RemoveDomainAsync(name, ct);
            var shown = HostName.TryParse(name, requireFullyQualified: true, out var host, out _) ? AccountCommand.ShowDomain(host.Value) : name;
            await context.Output.WriteLineAsync($"removed domain {shown}");
            return 0;
        }, ct));

        command.Subcommands.Add(add);
        command.Subcommands.Add(list);
        command.Subcommands.Add(remove);
        return command;
    }
}

/// <summary>What an account command works with: the open directory, the options and where to write.</summary>
internal sealed record AccountCommandContext(
    SqliteAccountDirectory Directory,
    LetterboxOptions Options,
    TextWriter Output,
    TextWriter Error);

/// <summary>
/// The frame shared by the domain, user and alias commands: open <c>directory.db</c> in the data
/// directory, run, and turn every refusal into one <c>error: </c> line on stderr and exit code 1.
/// </summary>
internal static class AccountCommand
{
    public const string DirectoryFileName = "directory.db";

    public static async Task<int> RunAsync(
        ParseResult parseResult,
        Func<ParseResult, LetterboxOptions> loadOptions,
        Func<AccountCommandContext, Task<int>> work,
        CancellationToken ct)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            var options = loadOptions(parseResult);
            Directory.CreateDirectory(options.DataDirectory);
            var path = Path.Combine(options.DataDirectory, DirectoryFileName);
            await using var directory = await SqliteAccountDirectory.OpenAsync(path, options.Accounts, ct);
            return await work(new AccountCommandContext(directory, options, output, error));
        }
        catch (DirectoryException e)
        {
            return await FailAsync(error, e.Message);
        }
        catch (SqliteException e)
        {
            return await FailAsync(error, $"directory database: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(error, $"data directory: {e.Message}");
        }
    }

    public static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync("error: " + message);
        return 1;
    }

    /// <summary>U-label form, with the A-label in parentheses when they differ.</summary>
    public static string ShowDomain(string aLabel)
    {
        var unicode = new HostName(aLabel).Display;
        return string.Equals(unicode, aLabel, StringComparison.Ordinal) ? aLabel : $"{unicode} ({aLabel})";
    }

    /// <summary>An address or "@domain" with the domain in U-label form, the A-label form in parentheses when different.</summary>
    public static string ShowAddress(string key)
    {
        var at = key.LastIndexOf('@');
        if (at < 0)
        {
            return key;
        }

        var aLabel = key[(at + 1)..];
        var unicode = new HostName(aLabel).Display;
        var shown = key[..(at + 1)] + unicode;
        return string.Equals(unicode, aLabel, StringComparison.Ordinal) ? key : $"{shown} ({key})";
    }
}
