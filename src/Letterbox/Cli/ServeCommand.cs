using System.CommandLine;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Letterbox.Core;
using Letterbox.Core.Security;
using Letterbox.Hosting;
using Letterbox.Store;
using Microsoft.Extensions.Logging;

namespace Letterbox.Cli;

/// <summary><c>letterbox serve [--dev] [--port-offset N]</c>: runs the server until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public const string DemoAddress = "demo@example.test";

    public static Command Create(CliOptions cli)
    {
        var command = new Command("serve", "Run the mail server");
        command.Options.Add(cli.Dev);
        command.Options.Add(cli.PortOffset);
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            var dev = result.GetValue(cli.Dev);
            var options = cli.Load(result, dev, result.GetValue(cli.PortOffset));
            using var loggerFactory = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                .SetMinimumLevel(dev ? LogLevel.Information : LogLevel.Warning));
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // A second TERM can arrive while the server is being disposed: the handler must not throw then.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; StopQuietly(stopping); });
            // Process-wide memory policy (the server owns this process; tests hosting LetterboxServer do not get it).
            ProcessMemory.LimitSqliteCaches();
            await using var server = await LetterboxServer.StartAsync(options, dev, loggerFactory, stopping.Token).ConfigureAwait(false);
            using var trimmer = new QuietTimeTrimmer(server.ReleaseIdleAsync);
            var (user, password) = dev ? await EnsureDemoAccountAsync(server, stopping.Token).ConfigureAwait(false) : ("you@" + FirstDomain(server), null);
            Console.WriteLine($"Letterbox is running as {server.HostName.Display}, data in {options.DataDirectory}");
            foreach (var listener in server.Listeners)
            {
                Console.WriteLine($"  listening: {listener.Name,-6} {listener.DisplayAddress}{(listener.ImplicitTls ? " (TLS)" : "")}");
            }
            Console.WriteLine();
            ClientSettings.Print(Console.Out, ClientSettings.For(server, user), server.Tls, password);
            Console.WriteLine();
            Console.WriteLine("Press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            Console.WriteLine("Stopping.");
            return 0;
        }));
        return command;
    }

    private static string FirstDomain(LetterboxServer server)
        => server.Directory.ListDomainsAsync().GetAwaiter().GetResult().FirstOrDefault()?.Name ?? "your-domain.example";

    /// <summary>
    /// In dev mode with an empty directory, creates demo@example.test with a random password kept in
    /// the data directory (readable by the owner only) so it can be shown again at the next start.
    /// </summary>
    private static async Task<(string User, string? Password)> EnsureDemoAccountAsync(LetterboxServer server, CancellationToken ct)
    {
        var passwordFile = DataLayout.DemoPasswordFile(server.Options.DataDirectory);
        if (await server.Directory.CountUsersAsync(ct).ConfigureAwait(false) == 0)
        {
            var address = EmailAddress.Parse(DemoAddress);
            if (!await server.Directory.IsLocalDomainAsync(address.Domain, ct).ConfigureAwait(false))
            {
                await server.Directory.AddDomainAsync(address.Domain, ct).ConfigureAwait(false);
            }
            var password = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
            await server.Directory.AddUserAsync(address, PasswordHasher.Hash(password), ct).ConfigureAwait(false);
            PrivateFile.WriteAllText(passwordFile, password + "\n");
            return (DemoAddress, password);
        }
        var users = await server.Directory.ListUsersAsync(null, ct).ConfigureAwait(false);
        var demo = users.FirstOrDefault(u => u.Address == DemoAddress);
        if (demo is not null && File.Exists(passwordFile))
        {
            // Shown again only while it is still the password (user passwd may have changed it).
            var kept = (await File.ReadAllTextAsync(passwordFile, ct).ConfigureAwait(false)).Trim();
            return (DemoAddress, PasswordHasher.Verify(kept, demo.PasswordHash) ? kept : null);
        }
        return (users[0].Address, null);
    }

    private static void StopQuietly(CancellationTokenSource stopping)
    {
        try
        {
            stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and torn down: nothing left to stop.
        }
    }
}
