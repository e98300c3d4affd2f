namespace Letterbox.Discovery;

/// <summary>One thing discovery tried: which mechanism, what it asked, and what came of it.</summary>
public sealed record DiscoveryStep(string Mechanism, string Target, bool Found, string Detail);

/// <summary>What discovery found for an address, and the trail of everything it tried.</summary>
public sealed record DiscoveryResult(string Address, IReadOnlyList<ServerSetting> Settings, IReadOnlyList<DiscoveryStep> Steps)
{
    /// <summary>Provider notes (app passwords, enabling IMAP...) from the provider table, when it matched.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The mechanism that produced <see cref="Settings"/>, or null when nothing was found.</summary>
    public string? Mechanism { get; init; }

    /// <summary>The best setting for a protocol: fewest warnings, then implicit TLS, then the order found.</summary>
    public ServerSetting? Best(MailProtocol protocol) => Settings
        .Where(s => s.Protocol == protocol)
        .OrderBy(s => s.Warnings.Count > 0 || s.Security == SocketSecurity.None)
        .ThenBy(s => s.Security)
        .FirstOrDefault();
}
