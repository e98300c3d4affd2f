using System.CommandLine;
using Letterbox.Cli;
using Letterbox.Core.Options;
using Letterbox.Store;

namespace Letterbox.Tests.Accounts;

/// <summary>Console.In is process-global: every test that swaps it runs in this one serial collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console (global stdin)";
}

[Collection(ConsoleCollection.Name)]
public sealed class AccountCliTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly TemporaryDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private sealed record Run(int ExitCode, string Output, string Error);

    // Stands in for the lead's Program.cs: a global --data-dir option and the three account commands.
    private static RootCommand BuildRoot(bool caseSensitive = false)
    {
        var dataDir = new Option<string>("--data-dir") { Required = true, Recursive = true };
        var root = new RootCommand("letterbox (test)");
        root.Options.Add(dataDir);
        LetterboxOptions Load(ParseResult r) => new()
        {
            DataDirectory = r.GetValue(dataDir)!,
            Accounts = new AccountOptions { LocalPartCaseSensitive = caseSensitive, MinPasswordLength = 10 },
        };
        root.Subcommands.Add(DomainCommands.Create(Load));
        root.Subcommands.Add(UserCommands.Create(Load));
        root.Subcommands.Add(AliasCommands.Create(Load));
        return root;
    }

    // What Program.cs should pass: without it "@domain" is read as a response file name.
    private static readonly ParserConfiguration NoResponseFiles = new() { ResponseFileTokenReplacer = null };

    private Task<Run> RunAsync(params string[] args) => RunWithStdinAsync(null, args);

    private Task<Run> RunWithStdinAsync(string? stdin, params string[] args) => RunWithAsync(NoResponseFiles, stdin, args);

    private async Task<Run> RunWithAsync(ParserConfiguration parser, string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var previous = Console.In;
        Console.SetIn(new StringReader(stdin ?? ""));
        try
        {
            var code = await BuildRoot().Parse(["--data-dir", _data.Path, .. args], parser)
                .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
            return new Run(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetIn(previous);
        }
    }

    private static void AssertFails(Run run, string expectedMessage)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: " + expectedMessage + Environment.NewLine, run.Error);
        Assert.Equal("", run.Output);
    }

    private static void AssertFailsWith(Run run, string fragment)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(fragment, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private async Task<UserRecord?> LoginAsync(string login, string password)
    {
        await using var directory = await _data.OpenDirectoryAsync();
        return await new PasswordAuthenticator(directory).AuthenticateAsync(login, password);
    }

    [Fact]
    public async Task Domain_add_list_remove_shows_U_labels()
    {
        var dataDir = Path.Combine(_data.Path, "not-yet-created");
        Assert.False(Directory.Exists(dataDir));
        var output = new StringWriter();
        var code = await BuildRoot().Parse(["--data-dir", dataDir, "domain", "add", "example.org"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = new StringWriter() });
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(dataDir, "directory.db")));

        var add = await RunAsync("domain", "add", "BÜCHER.example");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("added domain bücher.example (xn--bcher-kva.example)" + Environment.NewLine, add.Output);
        Assert.Equal(0, (await RunAsync("domain", "add", "example.com")).ExitCode);

        var list = await RunAsync("domain", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["example.com", "bücher.example (xn--bcher-kva.example)"], list.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

        AssertFails(await RunAsync("domain", "add", "Example.COM"), "domain example.com is already hosted here");
        AssertFails(await RunAsync("domain", "add", "foo_bar.example"),
            "label 'foo_bar' contains '_': host names may use only letters, digits and hyphens (RFC 1123 §2.1)");
        AssertFailsWith(await RunAsync("domain", "add", "localhost"), "not fully qualified");

        var remove = await RunAsync("domain", "remove", "xn--bcher-kva.example");
        Assert.Equal(0, remove.ExitCode);
        Assert.Equal("removed domain bücher.example (xn--bcher-kva.example)" + Environment.NewLine, remove.Output);
        AssertFailsWith(await RunAsync("domain", "remove", "bücher.example"), "is not hosted here");
    }

    [Fact]
    public async Task User_add_needs_the_domain_first()
    {
        AssertFails(await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin"),
            "domain example.org is not hosted here: add it first with ./letterbox domain add example.org");
    }

    [Fact]
    public async Task User_add_with_password_on_stdin_then_login_works()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        var add = await RunWithStdinAsync(Password + "\n", "user", "add", "Alice@Example.ORG", "--password-stdin");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("", add.Error);
        Assert.Equal("added user alice@example.org" + Environment.NewLine, add.Output);

        Assert.NotNull(await LoginAsync("alice@example.org", Password));
        Assert.Null(await LoginAsync("alice@example.org", Password + "x"));

        AssertFails(await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin"),
            "user alice@example.org already exists");
    }

    [Fact]
    public async Task Passwords_are_never_taken_from_the_command_line()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        var run = await RunAsync("user", "add", "alice@example.org", Password);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("", (await RunAsync("user", "list")).Output);

        var noOption = await RunAsync("user", "add", "alice@example.org", "--password", Password);
        Assert.NotEqual(0, noOption.ExitCode);
        Assert.Equal("", (await RunAsync("user", "list")).Output);
    }

    [Fact]
    public async Task Without_password_stdin_a_redirected_stdin_is_refused()
    {
        // Under the test host stdin is not a terminal, so the prompt path must refuse rather than block.
        Assert.True(Console.IsInputRedirected, "the test host is expected to run with stdin redirected");
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        AssertFailsWith(await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org"), "--password-stdin");
        Assert.Equal("", (await RunAsync("user", "list")).Output);
    }

    [Theory]
    [InlineData("", "--password-stdin was given but standard input is empty")]
    [InlineData("short\n", "password is 5 characters long: at least 10 are required")]
    [InlineData("\n", "password is empty")]
    [InlineData("aaaaaaaaaaaa\n", "password repeats a single character: choose one that is harder to guess")]
    public async Task Weak_or_missing_passwords_are_refused(string stdin, string message)
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        AssertFails(await RunWithStdinAsync(stdin, "user", "add", "alice@example.org", "--password-stdin"), message);
        Assert.Equal("", (await RunAsync("user", "list")).Output);
    }

    [Theory]
    [InlineData("alice", "'alice' has no '@': an address looks like user@example.org")]
    [InlineData("al ice@example.org", "contains a space")]
    [InlineData("\"quoted\"@example.org", "quoted local parts")]
    [InlineData("alice@exa_mple.org", "label 'exa_mple' contains '_'")]
    public async Task Invalid_addresses_are_refused(string address, string fragment)
        => AssertFailsWith(await RunWithStdinAsync(Password + "\n", "user", "add", address, "--password-stdin"), fragment);

    [Fact]
    public async Task User_passwd_list_remove()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        Assert.Equal(0, (await RunAsync("domain", "add", "bücher.example")).ExitCode);
        Assert.Equal(0, (await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await RunWithStdinAsync(Password + "\n", "user", "add", "jörg@bücher.example", "--password-stdin")).ExitCode);

        var passwd = await RunWithStdinAsync("another good one\n", "user", "passwd", "ALICE@example.org", "--password-stdin");
        Assert.Equal(0, passwd.ExitCode);
        Assert.Equal("changed the password of alice@example.org" + Environment.NewLine, passwd.Output);
        Assert.Null(await LoginAsync("alice@example.org", Password));
        Assert.NotNull(await LoginAsync("alice@example.org", "another good one"));
        AssertFails(await RunWithStdinAsync("another good one\n", "user", "passwd", "bob@example.org", "--password-stdin"),
            "no user bob@example.org");
        AssertFails(await RunWithStdinAsync("short\n", "user", "passwd", "alice@example.org", "--password-stdin"),
            "password is 5 characters long: at least 10 are required");
        Assert.NotNull(await LoginAsync("alice@example.org", "another good one"));

        var all = await RunAsync("user", "list");
        Assert.Equal(["alice@example.org", "jörg@bücher.example (jörg@xn--bcher-kva.example)"],
            all.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        var one = await RunAsync("user", "list", "--domain", "BÜCHER.example");
        Assert.Equal("jörg@bücher.example (jörg@xn--bcher-kva.example)" + Environment.NewLine, one.Output);
        AssertFailsWith(await RunAsync("user", "list", "--domain", "example.net"), "domain example.net is not hosted here");

        Assert.Equal(0, (await RunAsync("alias", "add", "info@example.org", "alice@example.org")).ExitCode);
        var remove = await RunAsync("user", "remove", "alice@example.org");
        Assert.Equal(0, remove.ExitCode);
        var lines = remove.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("removed alias info@example.org", lines[0]);
        Assert.StartsWith("removed user alice@example.org; its stored mail (account ", lines[1], StringComparison.Ordinal);
        Assert.Null(await LoginAsync("alice@example.org", "another good one"));
        Assert.Equal("", (await RunAsync("alias", "list")).Output);
        AssertFails(await RunAsync("user", "remove", "alice@example.org"), "no user alice@example.org");
    }

    [Fact]
    public async Task Domain_remove_is_refused_while_users_exist()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        Assert.Equal(0, (await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin")).ExitCode);
        AssertFails(await RunAsync("domain", "remove", "example.org"), "domain example.org still has 1 user and 0 aliases: remove them first");
        Assert.Equal(0, (await RunAsync("user", "remove", "alice@example.org")).ExitCode);
        Assert.Equal(0, (await RunAsync("domain", "remove", "example.org")).ExitCode);
        Assert.Equal("", (await RunAsync("domain", "list")).Output);
    }

    [Fact]
    public async Task Alias_add_list_remove_including_catch_all()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        Assert.Equal(0, (await RunAsync("domain", "add", "bücher.example")).ExitCode);
        Assert.Equal(0, (await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin")).ExitCode);

        var add = await RunAsync("alias", "add", "PostMaster@example.org", "alice@example.org");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("added alias postmaster@example.org -> alice@example.org" + Environment.NewLine, add.Output);
        var catchAll = await RunAsync("alias", "add", "@bücher.example", "alice@example.org");
        Assert.Equal(0, catchAll.ExitCode);
        Assert.Equal("added alias @bücher.example (@xn--bcher-kva.example) -> alice@example.org" + Environment.NewLine, catchAll.Output);

        var list = await RunAsync("alias", "list");
        Assert.Equal(["@bücher.example (@xn--bcher-kva.example) -> alice@example.org", "postmaster@example.org -> alice@example.org"],
            list.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

        await using (var directory = await _data.OpenDirectoryAsync())
        {
            Assert.Equal("alice@example.org", (await directory.ResolveRecipientAsync("anyone@bücher.example"))?.Address);
        }

        AssertFails(await RunAsync("alias", "add", "postmaster@example.org", "alice@example.org"), "alias postmaster@example.org already exists");
        AssertFailsWith(await RunAsync("alias", "add", "x@example.org", "Nobody@example.org"), "an alias must point at an existing user");
        AssertFailsWith(await RunAsync("alias", "add", "x@example.net", "alice@example.org"), "domain example.net is not hosted here");
        AssertFailsWith(await RunAsync("alias", "add", "@localhost", "alice@example.org"), "not fully qualified");
        AssertFailsWith(await RunAsync("alias", "add", "x@example.org", "nobody"), "target: 'nobody' has no '@'");

        Assert.Equal(0, (await RunAsync("alias", "remove", "@BÜCHER.example")).ExitCode);
        Assert.Equal(0, (await RunAsync("alias", "remove", "Postmaster@example.org")).ExitCode);
        Assert.Equal("", (await RunAsync("alias", "list")).Output);
        AssertFails(await RunAsync("alias", "remove", "postmaster@example.org"), "no alias postmaster@example.org");
    }

    [Fact]
    public async Task Star_at_domain_is_a_catch_all_even_with_response_files_enabled()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.org")).ExitCode);
        Assert.Equal(0, (await RunWithStdinAsync(Password + "\n", "user", "add", "alice@example.org", "--password-stdin")).ExitCode);

        var defaults = new ParserConfiguration();
        var add = await RunWithAsync(defaults, null, "alias", "add", "*@Example.org", "alice@example.org");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("added alias @example.org -> alice@example.org" + Environment.NewLine, add.Output);
        Assert.Equal("@example.org -> alice@example.org" + Environment.NewLine, (await RunAsync("alias", "list")).Output);
        Assert.Equal(0, (await RunWithAsync(defaults, null, "alias", "remove", "*@example.org")).ExitCode);
        Assert.Equal("", (await RunAsync("alias", "list")).Output);
    }
}
