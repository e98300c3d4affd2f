using Letterbox.Core.Options;
using Letterbox.Settings;

namespace Letterbox.Tests.Settings;

public class MailServerSettingsTests
{
    [Fact]
    public void Standard_listeners_give_imap_then_pop3_implicit_tls_first_and_no_outgoing()
    {
        var settings = SettingsFixtures.Standard();
        Assert.Equal(
            [(MailProtocol.Imap, 993, TransportSecurity.ImplicitTls), (MailProtocol.Imap, 143, TransportSecurity.StartTls),
             (MailProtocol.Pop3, 995, TransportSecurity.ImplicitTls), (MailProtocol.Pop3, 110, TransportSecurity.StartTls)],
            settings.Incoming.Select(s => (s.Protocol, s.Port, s.Security)).ToArray());
        Assert.All(settings.Incoming, s => Assert.Equal(SettingsFixtures.Host, s.Host));
        // Port 25 is the MX, never a submission service for clients.
        Assert.Null(settings.Outgoing);
    }

    [Fact]
    public void Outgoing_comes_from_configuration_normalised()
    {
        var settings = SettingsFixtures.Standard(new OutgoingServerOptions { Host = "Smtp.Provider.NET.", Port = 587, Security = ListenerSecurity.StartTls });
        Assert.Equal(new MailService(MailProtocol.Smtp, "smtp.provider.net", 587, TransportSecurity.StartTls), settings.Outgoing);
    }

    [Fact]
    public void Disabled_listeners_are_not_published()
    {
        var settings = SettingsFixtures.Standard(withPop3: false);
        Assert.DoesNotContain(settings.Incoming, s => s.Protocol == MailProtocol.Pop3);
        Assert.Null(settings.Preferred(MailProtocol.Pop3));
        Assert.Equal(993, settings.Preferred(MailProtocol.Imap)!.Port);
    }
}
