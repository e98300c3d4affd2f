using Letterbox.Core.Options;
using Letterbox.Discovery;
using Letterbox.Hosting;
using Letterbox.Settings;
using DiscoveredAutoconfig = Letterbox.Discovery.Documents.AutoconfigDocument;
using DiscoveredAutodiscover = Letterbox.Discovery.Documents.AutodiscoverResponse;
using PublishedAutoconfig = Letterbox.Settings.Documents.AutoconfigDocument;
using PublishedAutodiscover = Letterbox.Settings.Documents.AutodiscoverDocument;

namespace Letterbox.Tests.Discovery;

/// <summary>What Letterbox publishes, `discover` reads back to the same settings (issue 5: round trip).</summary>
public sealed class PublishedDocumentsRoundTripTests
{
    private static MailServerSettings Published(bool withOutgoing)
    {
        var options = new LetterboxOptions();
        StandardListeners.AddDefaults(options);
        if (withOutgoing)
        {
            options.ClientSettings.Outgoing = new OutgoingServerOptions { Host = "smtp.hoster.example", Port = 587, Security = ListenerSecurity.StartTls };
        }
        return MailServerSettings.FromOptions(options, "mail.example.org");
    }

    private static IEnumerable<(Letterbox.Discovery.MailProtocol, string, int, SocketSecurity)> Expected(bool withOutgoing)
    {
        yield return (Letterbox.Discovery.MailProtocol.Imap, "mail.example.org", 993, SocketSecurity.Ssl);
        yield return (Letterbox.Discovery.MailProtocol.Imap, "mail.example.org", 143, SocketSecurity.StartTls);
        yield return (Letterbox.Discovery.MailProtocol.Pop3, "mail.example.org", 995, SocketSecurity.Ssl);
        yield return (Letterbox.Discovery.MailProtocol.Pop3, "mail.example.org", 110, SocketSecurity.StartTls);
        if (withOutgoing)
        {
            yield return (Letterbox.Discovery.MailProtocol.Smtp, "smtp.hoster.example", 587, SocketSecurity.StartTls);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Autoconfig_reads_back_to_the_published_servers_with_the_full_address(bool withOutgoing)
    {
        var xml = PublishedAutoconfig.Write(Published(withOutgoing), "example.org");
        Assert.True(DiscoveredAutoconfig.TryParse(xml, "alice", "example.org", "https://autoconfig.example.org/mail/config-v1.1.xml", SettingsTrust.Https, out var settings, out var error), error);
        Assert.Equal(Expected(withOutgoing).ToHashSet(), settings.Select(s => (s.Protocol, s.Host, s.Port, s.Security)).ToHashSet());
        Assert.All(settings, s => Assert.Equal("alice@example.org", s.Username));
        // Thunderbird's order: IMAP before POP3 before SMTP.
        Assert.Equal(Letterbox.Discovery.MailProtocol.Imap, settings[0].Protocol);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Autodiscover_reads_back_to_the_published_servers(bool withOutgoing)
    {
        var xml = PublishedAutodiscover.Write(Published(withOutgoing), "alice@example.org");
        Assert.True(DiscoveredAutodiscover.TryParse(xml, "alice@example.org", "https://example.org/autodiscover/autodiscover.xml", SettingsTrust.Https, out var answer, out var error), error);
        var found = answer!.Settings.Select(s => (s.Protocol, s.Host, s.Port, s.Security)).ToHashSet();
        // Autodiscover names one server per protocol: the preferred, implicit-TLS one.
        Assert.Contains((Letterbox.Discovery.MailProtocol.Imap, "mail.example.org", 993, SocketSecurity.Ssl), found);
        Assert.Contains((Letterbox.Discovery.MailProtocol.Pop3, "mail.example.org", 995, SocketSecurity.Ssl), found);
        Assert.Equal(withOutgoing, found.Contains((Letterbox.Discovery.MailProtocol.Smtp, "smtp.hoster.example", 587, SocketSecurity.StartTls)));
        Assert.All(answer.Settings, s => Assert.Equal("alice@example.org", s.Username));
        Assert.Null(answer.RedirectAddress);
    }
}
