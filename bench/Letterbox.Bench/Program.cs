using Letterbox.Bench;
using Letterbox.Core.Security;

// Letterbox.Bench — the end-to-end load generator of bench/run.sh (issue 6).
//   users                         the bench accounts, one "local cheap|default" per line
//   hash PASSWORD [M T P]         an Argon2id PHC string (Letterbox's hasher; Dovecot reads the same string)
//   seed      --lmtp EP [--corpus DIR] [--small]
//   loopback                      loopback TCP bandwidth through the client's own socket/pipe code
//   run SCENARIO --imap EP --pop3 EP --lmtp EP --password P [--clients N] [--duration S] [--rate R]
//                [--sessions N --deliveries D --pids "P1 P2"]
// Scenarios: mixed, mixed-open, append, fetch-large, search, idle, lmtp, pop3.
// Results go to standard output as "RESULT\tscenario\tmetric\tvalue\thigher|lower" lines.
var o = BenchOptions.Parse(args);
LoadLoop.ServerPids = o.ServerPids;
var results = new Results();
var command = o.Positional.Count > 0 ? o.Positional[0] : "help";
try
{
    switch (command)
    {
        case "users":
            foreach (var (local, cheap) in Users.All())
            {
                Console.WriteLine(local + " " + (cheap ? "cheap" : "default"));
            }
            return 0;
        case "hash":
            {
                var parameters = o.Positional.Count >= 5
                    ? new Argon2Parameters(int.Parse(o.Positional[2], System.Globalization.CultureInfo.InvariantCulture),
                        int.Parse(o.Positional[3], System.Globalization.CultureInfo.InvariantCulture),
                        int.Parse(o.Positional[4], System.Globalization.CultureInfo.InvariantCulture))
                    : Argon2Parameters.Default;
                Console.WriteLine(PasswordHasher.Hash(o.Positional[1], parameters));
                return 0;
            }
        case "seed":
            await DeliveryScenarios.SeedAsync(o);
            return 0;
        case "loopback":
            await DeliveryScenarios.LoopbackAsync(o, results);
            return 0;
        case "run":
            var scenario = o.Positional.Count > 1 ? o.Positional[1] : throw new ArgumentException("run needs a scenario");
            switch (scenario)
            {
                case "mixed":
                case "mixed-open":
                    {
                        var clients = o.Clients > 0 ? o.Clients : 10;
                        if (scenario == "mixed")
                        {
                            (await ImapScenarios.FirstPassAsync(o)).Report(results, $"{scenario}-{clients}", "first-pass sessions");
                        }
                        var outcome = await ImapScenarios.MixedAsync(o, keepOpen: scenario == "mixed-open");
                        LoadLoop.Report(results, $"{scenario}-{clients}", scenario == "mixed" ? "sessions" : "iterations", outcome);
                        break;
                    }
                case "append": await ImapScenarios.AppendAsync(o, results); break;
                case "fetch-large": await ImapScenarios.FetchLargeAsync(o, results); break;
                case "search": await ImapScenarios.SearchAsync(o, results); break;
                case "idle": await IdleScenario.RunAsync(o, results); break;
                case "lmtp": await DeliveryScenarios.LmtpAsync(o, results); break;
                case "pop3": await DeliveryScenarios.Pop3Async(o, results); break;
                default: throw new ArgumentException("unknown scenario " + scenario);
            }
            return 0;
        default:
            Console.Error.WriteLine("usage: Letterbox.Bench users | hash PASSWORD [M T P] | seed --lmtp EP | loopback | run SCENARIO --imap EP ...");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("bench: " + e.Message);
    return 2;
}
