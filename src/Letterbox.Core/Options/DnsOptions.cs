namespace Letterbox.Core.Options;

/// <summary>
/// How Letterbox asks DNS (SPF, DKIM, DMARC, discover, doctor). Empty <see cref="Servers"/> means the
/// resolvers of the machine (/etc/resolv.conf); tests and split-horizon set-ups name their own.
/// </summary>
public sealed class DnsOptions
{
    /// <summary>Resolvers to ask, each "ip" (port 53) or "ip:port" ("[v6]:port" for IPv6 with a port).</summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>Time allowed for one query, in milliseconds, before it is retried or counts as failed.</summary>
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>Tries per query (the first one included) on a timeout.</summary>
    public int Attempts { get; set; } = 2;
}
