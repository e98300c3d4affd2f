using System.Globalization;
using System.Net;

namespace Letterbox.Bench;

/// <summary>Command-line options of the load generator (<c>--name value</c> pairs).</summary>
internal sealed class BenchOptions
{
    public IPEndPoint? Imap { get; private set; }
    public IPEndPoint? Pop3 { get; private set; }
    public IPEndPoint? Lmtp { get; private set; }
    public string Domain { get; private set; } = "example.test";
    public string Password { get; private set; } = "";
    public string? Corpus { get; private set; }
    public double DurationSeconds { get; private set; } = 10;
    public int Clients { get; private set; }
    public int Sessions { get; private set; } = 1000;
    public int Deliveries { get; private set; } = 20;
    /// <summary>0: throughput mode (closed loop, as fast as the server answers); &gt;0: latency mode at this many operations/s in all.</summary>
    public double Rate { get; private set; }
    public bool Small { get; private set; }
    public List<int> ServerPids { get; } = [];
    public List<string> Positional { get; } = [];

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                o.Positional.Add(a);
                continue;
            }
            if (a == "--small")
            {
                o.Small = true;
                continue;
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException(a + " needs a value");
            }
            var v = args[++i];
            switch (a)
            {
                case "--imap": o.Imap = IPEndPoint.Parse(v); break;
                case "--pop3": o.Pop3 = IPEndPoint.Parse(v); break;
                case "--lmtp": o.Lmtp = IPEndPoint.Parse(v); break;
                case "--domain": o.Domain = v; break;
                case "--password": o.Password = v; break;
                case "--corpus": o.Corpus = v; break;
                case "--duration": o.DurationSeconds = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--clients": o.Clients = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--sessions": o.Sessions = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--deliveries": o.Deliveries = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--rate": o.Rate = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--pids":
                    foreach (var p in v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
                    {
                        o.ServerPids.Add(int.Parse(p, CultureInfo.InvariantCulture));
                    }
                    break;
                default: throw new ArgumentException("unknown option " + a);
            }
        }
        return o;
    }

    public IPEndPoint ImapEndPoint => Imap ?? throw new ArgumentException("--imap HOST:PORT is needed");
    public IPEndPoint Pop3EndPoint => Pop3 ?? throw new ArgumentException("--pop3 HOST:PORT is needed");
    public IPEndPoint LmtpEndPoint => Lmtp ?? throw new ArgumentException("--lmtp HOST:PORT is needed");

    public string Address(string local) => local + "@" + Domain;

    /// <summary>The mixed-load users: user001 … user100.</summary>
    public string MixedUser(int i) => Address("user" + (i % Users.Mixed + 1).ToString("000", CultureInfo.InvariantCulture));
}

/// <summary>The bench accounts; bench/run.sh creates the same list on both servers (<c>Letterbox.Bench users</c>).</summary>
internal static class Users
{
    public const int Mixed = 100;
    public const int Append = 8;
    public const int Delivery = 16;
    public const int Idle = 20;

    public static IEnumerable<(string Local, bool CheapHash)> All()
    {
        for (var i = 1; i <= Mixed; i++)
        {
            yield return ("user" + i.ToString("000", CultureInfo.InvariantCulture), false);
        }
        yield return ("large", false);
        yield return ("search", false);
        yield return ("pop", false);
        for (var i = 1; i <= Append; i++)
        {
            yield return ("append" + i.ToString(CultureInfo.InvariantCulture), false);
        }
        for (var i = 1; i <= Delivery; i++)
        {
            yield return ("dest" + i.ToString("00", CultureInfo.InvariantCulture), false);
        }
        // The IDLE scenario logs in up to 10,000 sessions: these accounts get a cheap Argon2id
        // hash (the same string on both servers) so the scenario measures holding sessions, not hashing.
        for (var i = 1; i <= Idle; i++)
        {
            yield return ("idle" + i.ToString("00", CultureInfo.InvariantCulture), true);
        }
    }

    public static string AppendUser(BenchOptions o, int i) => o.Address("append" + (i % Append + 1).ToString(CultureInfo.InvariantCulture));
    public static string DeliveryUser(BenchOptions o, int i) => o.Address("dest" + (i % Delivery + 1).ToString("00", CultureInfo.InvariantCulture));
    public static string IdleUser(BenchOptions o, int i) => o.Address("idle" + (i % Idle + 1).ToString("00", CultureInfo.InvariantCulture));
}
