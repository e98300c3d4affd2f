using System.Text.Json;
using System.Text.Json.Serialization;

namespace Letterbox.Discovery.Providers;

/// <summary>One server of a provider as the table states it.</summary>
public sealed record ProviderServer(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("socket")] string Socket,
    [property: JsonPropertyName("username")] string? Username)
{
    /// <summary>The socket type, or null when the table holds an unknown spelling (a test catches it).</summary>
    public SocketSecurity? Security => SocketSecurityNames.Parse(Socket);
}

/// <summary>A mail provider: the domains it serves, its servers, notes and where the facts came from.</summary>
public sealed record Provider(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("domains")] IReadOnlyList<string> Domains,
    [property: JsonPropertyName("mx")] IReadOnlyList<string>? Mx,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("imap")] ProviderServer? Imap,
    [property: JsonPropertyName("pop3")] ProviderServer? Pop3,
    [property: JsonPropertyName("smtp")] ProviderServer? Smtp,
    [property: JsonPropertyName("notes")] IReadOnlyList<string> Notes,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("exceptions")] IReadOnlyList<string>? Exceptions)
{
    /// <summary>The provider's servers as settings for the address <paramref name="localPart"/>@<paramref name="domain"/> (IMAP, then POP3, then SMTP).</summary>
    public IReadOnlyList<ServerSetting> SettingsFor(string localPart, string domain)
    {
        var result = new List<ServerSetting>();
        foreach (var (protocol, server) in new[] { (MailProtocol.Imap, Imap), (MailProtocol.Pop3, Pop3), (MailProtocol.Smtp, Smtp) })
        {
            if (server is null || server.Security is not { } security)
            {
                continue;
            }
            var username = UsernameTemplate.Fill(server.Username ?? Username, localPart, domain);
            result.Add(new ServerSetting(protocol, server.Host, server.Port, security, username, $"provider table: {Name} ({Source})", SettingsTrust.ProviderTable) { Notes = Notes });
        }
        return result;
    }
}

/// <summary>Fills Thunderbird's username placeholders (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%).</summary>
public static class UsernameTemplate
{
    /// <summary>The username with placeholders replaced.</summary>
    public static string Fill(string template, string localPart, string domain) => template
        .Replace("%EMAILADDRESS%", localPart + "@" + domain, StringComparison.OrdinalIgnoreCase)
        .Replace("%EMAILLOCALPART%", localPart, StringComparison.OrdinalIgnoreCase)
        .Replace("%EMAILDOMAIN%", domain, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The built-in provider table (Providers/providers.json, an embedded resource): the first step of
/// discovery, as Thunderbird's bundled ISPDB copy is. Looked up by address domain or by MX host.
/// </summary>
public sealed class ProviderTable
{
    private readonly Dictionary<string, Provider> _byDomain = new(StringComparer.OrdinalIgnoreCase);

    private ProviderTable(IReadOnlyList<Provider> providers)
    {
        Providers = providers;
        foreach (var provider in providers)
        {
            foreach (var domain in provider.Domains)
            {
                _byDomain.TryAdd(domain.TrimEnd('.'), provider);
            }
        }
    }

    /// <summary>Every provider in file order.</summary>
    public IReadOnlyList<Provider> Providers { get; }

    /// <summary>The table shipped with Letterbox.</summary>
    public static ProviderTable Default { get; } = Load();

    /// <summary>Parses a table in the providers.json format.</summary>
    public static ProviderTable Parse(Stream json)
    {
        var document = JsonSerializer.Deserialize<ProviderDocument>(json) ?? throw new InvalidDataException("providers.json is empty.");
        return new ProviderTable(document.Providers);
    }

    /// <summary>The provider serving <paramref name="domain"/> (case-insensitive, RFC 4343), or null.</summary>
    public Provider? FindByDomain(string domain) => _byDomain.GetValueOrDefault(domain.TrimEnd('.'));

    /// <summary>The provider whose MX suffix matches <paramref name="mxHost"/> (e.g. aspmx.l.google.com), or null.</summary>
    public Provider? FindByMx(string mxHost)
    {
        var host = mxHost.TrimEnd('.').ToLowerInvariant();
        return Providers.FirstOrDefault(p => p.Mx is { } suffixes && suffixes.Any(s => host == s || host.EndsWith("." + s, StringComparison.Ordinal)));
    }

    private static ProviderTable Load()
    {
        using var stream = typeof(ProviderTable).Assembly.GetManifestResourceStream("Letterbox.Discovery.providers.json")
            ?? throw new InvalidOperationException("The embedded provider table is missing.");
        return Parse(stream);
    }

    private sealed record ProviderDocument([property: JsonPropertyName("providers")] IReadOnlyList<Provider> Providers);
}
