using Letterbox.Core;
using Letterbox.Discovery;
using Letterbox.Discovery.Providers;

namespace Letterbox.Tests.Discovery;

public class ProviderTableTests
{
    private static readonly ProviderTable Table = ProviderTable.Default;

    [Fact]
    public void Holds_at_least_forty_providers_with_unique_ids_and_domains()
    {
        Assert.True(Table.Providers.Count >= 40, $"only {Table.Providers.Count} providers");
        Assert.Equal(Table.Providers.Count, Table.Providers.Select(p => p.Id).Distinct().Count());
        var domains = Table.Providers.SelectMany(p => p.Domains).ToList();
        Assert.Equal(domains.Count, domains.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(Table.Providers, p => Assert.True(p.Domains.Count > 0 || p.Mx is { Count: > 0 }, $"{p.Id} is matched by neither domain nor MX"));
    }

    [Fact]
    public void Every_entry_is_consistent_hosts_valid_ports_match_socket_types_sources_cited()
    {
        foreach (var provider in Table.Providers)
        {
            Assert.StartsWith("https://", provider.Source, StringComparison.Ordinal);
            Assert.True(provider.Imap is not null || provider.Pop3 is not null, $"{provider.Id} has no incoming server");
            Assert.Contains(provider.Username, new[] { "%EMAILADDRESS%", "%EMAILLOCALPART%" });
            foreach (var (protocol, server) in new[] { (MailProtocol.Imap, provider.Imap), (MailProtocol.Pop3, provider.Pop3), (MailProtocol.Smtp, provider.Smtp) })
            {
                if (server is null)
                {
                    continue;
                }
                Assert.NotNull(server.Security);
                var exception = provider.Exceptions is { Count: > 0 };
                if (!exception)
                {
                    Assert.True(HostName.TryParse(server.Host, requireFullyQualified: true, out var host, out var error), $"{provider.Id}: {server.Host}: {error}");
                    Assert.Equal(server.Host, host.Value);
                    var expected = server.Port switch
                    {
                        993 or 995 or 465 => SocketSecurity.Ssl,
                        143 or 110 or 587 => SocketSecurity.StartTls,
                        _ => (SocketSecurity?)null,
                    };
                    Assert.True(expected == server.Security, $"{provider.Id} {protocol}: port {server.Port} with {server.Socket}");
                    Assert.Equal(SocketSecurityNames.StandardPort(protocol, server.Security!.Value), server.Port);
                }
            }
        }
    }

    [Fact]
    public void Gmail_hosts_are_not_swapped()
    {
        var gmail = Table.FindByDomain("GMAIL.com")!;
        Assert.Equal(("imap.gmail.com", 993), (gmail.Imap!.Host, gmail.Imap.Port));
        Assert.Equal(("pop.gmail.com", 995), (gmail.Pop3!.Host, gmail.Pop3.Port));
        Assert.Equal("smtp.gmail.com", gmail.Smtp!.Host);
    }

    [Fact]
    public void Known_facts_hold()
    {
        Assert.Equal("outlook.office365.com", Table.FindByDomain("hotmail.com")!.Imap!.Host);
        var icloud = Table.FindByDomain("icloud.com")!;
        Assert.Equal("imap.mail.me.com", icloud.Imap!.Host);
        Assert.Null(icloud.Pop3);
        var settings = icloud.SettingsFor("jane", "icloud.com");
        Assert.Equal("jane", settings.Single(s => s.Protocol == MailProtocol.Imap).Username);
        Assert.Equal("jane@icloud.com", settings.Single(s => s.Protocol == MailProtocol.Smtp).Username);
        foreach (var domain in new[] { "163.com", "126.com", "yeah.net" })
        {
            var netease = Table.FindByDomain(domain)!;
            Assert.Equal("imap." + domain, netease.Imap!.Host);
            Assert.Contains(netease.Notes, n => n.Contains("authorisation code", StringComparison.Ordinal));
            Assert.Contains(netease.Notes, n => n.Contains("IMAP ID", StringComparison.Ordinal));
        }
        Assert.Equal("imap.qq.com", Table.FindByDomain("foxmail.com")!.Imap!.Host);
        Assert.NotNull(Table.FindByDomain("sina.cn"));
        Assert.NotNull(Table.FindByDomain("sohu.com"));
        Assert.NotNull(Table.FindByDomain("aliyun.com"));
        Assert.Contains("Bridge", string.Join(" ", Table.FindByDomain("proton.me")!.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Finds_providers_by_mx()
    {
        Assert.Equal("google-workspace", Table.FindByMx("aspmx.l.google.com.")!.Id);
        Assert.Equal("office365", Table.FindByMx("example-com.mail.protection.outlook.com")!.Id);
        Assert.Null(Table.FindByMx("mx.example.org"));
        Assert.Null(Table.FindByMx("notgoogle.com"));
    }
}
