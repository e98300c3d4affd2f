using System.CommandLine;
using Letterbox.Core;
using Letterbox.Core.Options;

namespace Letterbox.Cli;

/// <summary>
/// <c>letterbox alias add|list|remove</c>: extra addresses delivered to a user, and per-domain
/// catch-alls written <c>*@domain</c> or <c>@domain</c>.
/// </summary>
internal static class AliasCommands
{
    internal static Command Create(Func<ParseResult, LetterboxOptions> loadOptions)
    {
        var command = new Command("alias", "Add, list and remove aliases and catch-all addresses");

        var addAlias = new Argument<string>("alias") { Description = "The alias address, or *@domain (or @domain) for a catch-all" };
        var addTarget = new Argument<string>("target") { Description = "The user that receives the alias's mail" };
        var add = new Command("add", "Deliver mail for ALIAS to the user TARGET");
        add.Arguments.Add(addAlias);
        add.Arguments.Add(addTarget);
        add.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            var aliasText = (r.GetValue(addAlias) ?? "").Trim();
            if (!EmailAddress.TryParse(r.GetValue(addTarget), out var target, out var targetError))
            {
                return await AccountCommand.FailAsync(context.Error, $"target: {targetError}");
            }

            string key;
            if (TryGetCatchAllDomain(aliasText, out var catchAllDomain))
            {
                if (!HostName.TryParse(catchAllDomain, requireFullyQualified: true, out var domain, out var domainError))
                {
                    return await AccountCommand.FailAsync(context.Error, domainError!);
                }

                await context.Directory.AddCatchAllAsync(domain.Value, target!, ct);
                key = "@" + domain.Value;
            }
            else
            {
                if (!EmailAddress.TryParse(aliasText, out var alias, out var aliasError))
                {
                    return await AccountCommand.FailAsync(context.Error, aliasError!);
                }

                await context.Directory.AddAliasAsync(alias!, target!, ct);
                key = Canonical(alias!, context);
            }

            await context.Output.WriteLineAsync($"added alias {AccountCommand.ShowAddress(key)} -> {AccountCommand.ShowAddress(Canonical(target!, context))}");
            return 0;
        }, ct));

        var listDomain = new Option<string>("--domain") { Description = "Only the aliases of this domain" };
        var list = new Command("list", "List aliases as ALIAS -> TARGET, one a line");
        list.Options.Add(listDomain);
        list.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            foreach (var alias in await context.Directory.ListAliasesAsync(r.GetValue(listDomain), ct))
            {
                await context.Output.WriteLineAsync($"{AccountCommand.ShowAddress(alias.Alias)} -> {AccountCommand.ShowAddress(alias.Target)}");
            }

            return 0;
        }, ct));

        var removeAlias = new Argument<string>("alias") { Description = "The alias address, or *@domain (or @domain) for a catch-all" };
        var remove = new Command("remove", "Remove an alias or catch-all");
        remove.Arguments.Add(removeAlias);
        remove.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            var alias = (r.GetValue(removeAlias) ?? "").Trim();
            if (TryGetCatchAllDomain(alias, out var catchAllDomain))
            {
                alias = "@" + catchAllDomain;
            }

            await context.Directory.RemoveAliasAsync(alias, ct);
            await context.Output.WriteLineAsync($"removed alias {alias}");
            return 0;
        }, ct));

        command.Subcommands.Add(add);
        command.Subcommands.Add(list);
        command.Subcommands.Add(remove);
        return command;
    }

    // As the directory stores it, for the confirmation line.
    private static string Canonical(EmailAddress address, AccountCommandContext context)
        => context.Options.Accounts.LocalPartCaseSensitive
            ? address.ToString()
            : (address with { LocalPart = address.LocalPart.ToLowerInvariant() }).ToString();

    // "*@domain" is accepted beside "@domain" because System.CommandLine reads a token starting
    // with '@' as a response file unless the parser's ResponseFileTokenReplacer is turned off.
    private static bool TryGetCatchAllDomain(string alias, out string domain)
    {
        domain = alias.StartsWith("*@", StringComparison.Ordinal) ? alias[2..]
            : alias.StartsWith('@') ? alias[1..]
            : "";
        return alias.StartsWith('@') || alias.StartsWith("*@", StringComparison.Ordinal);
    }
}
