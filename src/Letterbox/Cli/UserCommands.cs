using System.CommandLine;
using System.Text;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Core.Security;

namespace Letterbox.Cli;

/// <summary>
/// <c>letterbox user add|passwd|list|remove</c>. Passwords come from a no-echo prompt (asked twice)
/// or from one line of standard input with <c>--password-stdin</c>; never from the command line,
/// where they would sit in shell history and in every process listing.
/// </summary>
internal static class UserCommands
{
    internal static Command Create(Func<ParseResult, LetterboxOptions> loadOptions)
    {
        var command = new Command("user", "Add, list and remove users and change their passwords");

        var addAddress = AddressArgument();
        var addStdin = PasswordStdinOption();
        var add = new Command("add", "Add a user; the address is the login (the domain must be added first)");
        add.Arguments.Add(addAddress);
        add.Options.Add(addStdin);
        add.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            if (!EmailAddress.TryParse(r.GetValue(addAddress), out var address, out var error))
            {
                return await AccountCommand.FailAsync(context.Error, error!);
            }

            // Checked before asking for a password, so nobody types one twice for nothing.
            if (!await context.Directory.IsLocalDomainAsync(address!.Domain, ct))
            {
                var domain = new HostName(address.Domain).Display;
                return await AccountCommand.FailAsync(context.Error,
                    $"domain {domain} is not hosted here: add it first with ./letterbox domain add {domain}");
            }

            if (await context.Directory.FindUserAsync(address.ToString(), ct) is { } existing)
            {
                return await AccountCommand.FailAsync(context.Error, $"user {AccountCommand.ShowAddress(existing.Address)} already exists");
            }

            var password = await ReadNewPasswordAsync(r.GetValue(addStdin), context);
            if (password is null)
            {
                return 1;
            }

            var user = await context.Directory.AddUserAsync(address, PasswordHasher.Hash(password), ct);
            await context.Output.WriteLineAsync($"added user {AccountCommand.ShowAddress(user.Address)}");
            return 0;
        }, ct));

        var passwdAddress = AddressArgument();
        var passwdStdin = PasswordStdinOption();
        var passwd = new Command("passwd", "Set a user's password");
        passwd.Arguments.Add(passwdAddress);
        passwd.Options.Add(passwdStdin);
        passwd.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            if (!EmailAddress.TryParse(r.GetValue(passwdAddress), out var address, out var error))
            {
                return await AccountCommand.FailAsync(context.Error, error!);
            }

            var user = await context.Directory.FindUserAsync(address!.ToString(), ct);
            if (user is null)
            {
                return await AccountCommand.FailAsync(context.Error, $"no user {AccountCommand.ShowAddress(address.ToString())}");
            }

            var password = await ReadNewPasswordAsync(r.GetValue(passwdStdin), context);
            if (password is null)
            {
                return 1;
            }

            await context.Directory.SetPasswordHashAsync(EmailAddress.Parse(user.Address), PasswordHasher.Hash(password), ct);
            await context.Output.WriteLineAsync($"changed the password of {AccountCommand.ShowAddress(user.Address)}");
            return 0;
        }, ct));

        var listDomain = new Option<string>("--domain") { Description = "Only the users of this domain" };
        var list = new Command("list", "List users, one address a line");
        list.Options.Add(listDomain);
        list.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            foreach (var user in await context.Directory.ListUsersAsync(r.GetValue(listDomain), ct))
            {
                var shown = AccountCommand.ShowAddress(user.Address);
                await context.Output.WriteLineAsync(user.Disabled ? shown + "  [disabled]" : shown);
            }

            return 0;
        }, ct));

        var removeAddress = AddressArgument();
        var remove = new Command("remove", "Remove a user and the aliases that point at it (stored mail is kept)");
        remove.Arguments.Add(removeAddress);
        remove.SetAction((r, ct) => AccountCommand.RunAsync(r, loadOptions, async context =>
        {
            if (!EmailAddress.TryParse(r.GetValue(removeAddress), out var address, out var error))
            {
                return await AccountCommand.FailAsync(context.Error, error!);
            }

            var user = await context.Directory.FindUserAsync(address!.ToString(), ct);
            if (user is null)
            {
                return await AccountCommand.FailAsync(context.Error, $"no user {AccountCommand.ShowAddress(address.ToString())}");
            }

            var aliases = (await context.Directory.ListAliasesAsync(null, ct)).Where(a => a.Target == user.Address).ToList();
            await context.Directory.RemoveUserAsync(EmailAddress.Parse(user.Address), ct);
            foreach (var alias in aliases)
            {
                await context.Output.WriteLineAsync($"removed alias {AccountCommand.ShowAddress(alias.Alias)}");
            }

            await context.Output.WriteLineAsync(
                $"removed user {AccountCommand.ShowAddress(user.Address)}; its stored mail (account {user.AccountId}) was not deleted");
            return 0;
        }, ct));

        command.Subcommands.Add(add);
        command.Subcommands.Add(passwd);
        command.Subcommands.Add(list);
        command.Subcommands.Add(remove);
        return command;
    }

    private static Argument<string> AddressArgument() => new("address") { Description = "The user's address, which is also the login" };

    private static Option<bool> PasswordStdinOption() => new("--password-stdin")
    {
        Description = "Read the password from the first line of standard input instead of a prompt",
    };

    /// <summary>The new password, or null after writing an error line.</summary>
    private static async Task<string?> ReadNewPasswordAsync(bool fromStdin, AccountCommandContext context)
    {
        string? password;
        if (fromStdin)
        {
            password = await Console.In.ReadLineAsync();
            if (password is null)
            {
                await AccountCommand.FailAsync(context.Error, "--password-stdin was given but standard input is empty");
                return null;
            }
        }
        else if (Console.IsInputRedirected)
        {
            await AccountCommand.FailAsync(context.Error,
                "standard input is not a terminal, so the password cannot be asked for: pipe it in with --password-stdin");
            return null;
        }
        else
        {
            password = ReadHidden(context.Error, "New password: ");
            var again = ReadHidden(context.Error, "Repeat password: ");
            if (!string.Equals(password, again, StringComparison.Ordinal))
            {
                await AccountCommand.FailAsync(context.Error, "the two passwords differ: nothing was changed");
                return null;
            }
        }

        var problem = PasswordPolicy.Check(password, context.Options.Accounts.MinPasswordLength);
        if (problem is not null)
        {
            await AccountCommand.FailAsync(context.Error, problem);
            return null;
        }

        return password;
    }

    // Reads a line from the terminal without echoing it.
    private static string ReadHidden(TextWriter prompt, string text)
    {
        prompt.Write(text);
        prompt.Flush();
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                password.Append(key.KeyChar);
            }
        }

        prompt.WriteLine();
        return password.ToString();
    }
}
