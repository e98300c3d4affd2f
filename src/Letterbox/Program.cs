using System.CommandLine;
using Letterbox.Cli;

var cli = new CliOptions();
var root = new RootCommand("Letterbox: a self-hosted incoming mail server (IMAP, POP3, SMTP/LMTP delivery)");
cli.AddTo(root);
root.Subcommands.Add(ServeCommand.Create(cli));
root.Subcommands.Add(DomainCommands.Create(cli.Load));
root.Subcommands.Add(UserCommands.Create(cli.Load));
root.Subcommands.Add(AliasCommands.Create(cli.Load));
root.Subcommands.Add(DeliverCommand.Create(cli));
root.Subcommands.Add(StoreCommands.Create(cli));
root.Subcommands.Add(CertCommands.Create(cli));
root.Subcommands.Add(DiscoverCommand.Create(cli));
root.Subcommands.Add(DoctorCommand.Create(cli));
root.Subcommands.Add(DnsCommand.Create(cli));
// No response files: "@example.org" is a catch-all alias, not a file of arguments.
return await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync().ConfigureAwait(false);
