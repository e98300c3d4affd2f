using Letterbox.Discovery;
using Letterbox.Discovery.Documents;

namespace Letterbox.Tests.Discovery;

public class SettingsDocumentTests
{
    internal const string Autoconfig = """
        <?xml version="1.0" encoding="UTF-8"?>
        <clientConfig version="1.1">
          <emailProvider id="example.test">
            <domain>example.test</domain>
            <incomingServer type="imap">
              <hostname>IMAP.example.test</hostname><port>993</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
            </incomingServer>
            <incomingServer type="pop3">
              <hostname>pop.example.test</hostname><port>110</port><socketType>STARTTLS</socketType>
              <username>%EMAILLOCALPART%</username>
            </incomingServer>
            <incomingServer type="exchange"><hostname>ews.example.test</hostname></incomingServer>
            <outgoingServer type="smtp">
              <hostname>smtp.example.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>
            </outgoingServer>
          </emailProvider>
        </clientConfig>
        """;

    [Fact]
    public void Reads_autoconfig_servers_in_order_with_usernames_filled_in()
    {
        Assert.True(AutoconfigDocument.TryParse(Autoconfig, "jo", "example.test", "src", SettingsTrust.Https, out var settings, out var error), error);
        Assert.Equal(3, settings.Count);
        Assert.Equal(new ServerSetting(MailProtocol.Imap, "imap.example.test", 993, SocketSecurity.Ssl, "jo@example.test", "src", SettingsTrust.Https), settings[0] with { Warnings = [] });
        Assert.Equal((MailProtocol.Pop3, 110, SocketSecurity.StartTls, "jo"), (settings[1].Protocol, settings[1].Port, settings[1].Security, settings[1].Username));
        Assert.Equal(MailProtocol.Smtp, settings[2].Protocol);
    }

    [Theory]
    [InlineData("<notxml", "not well-formed")]
    [InlineData("<html><body>404</body></html>", "not <clientConfig>")]
    [InlineData("<clientConfig version=\"1.1\"><emailProvider id=\"x\"/></clientConfig>", "no IMAP")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><clientConfig>&e;</clientConfig>", "not well-formed")]
    public void Refuses_unusable_autoconfig_documents(string xml, string expected)
    {
        Assert.False(AutoconfigDocument.TryParse(xml, "jo", "example.test", "src", SettingsTrust.Https, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    internal const string Autodiscover = """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
          <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
            <Account>
              <AccountType>email</AccountType><Action>settings</Action>
              <Protocol><Type>IMAP</Type><Server>mail.example.test</Server><Port>993</Port><LoginName>jo@example.test</LoginName><SPA>off</SPA><SSL>on</SSL><AuthRequired>on</AuthRequired></Protocol>
              <Protocol><Type>POP3</Type><Server>mail.example.test</Server><Port>110</Port><SPA>off</SPA><Encryption>TLS</Encryption></Protocol>
              <Protocol><Type>SMTP</Type><Server>mail.example.test</Server><Port>587</Port><SPA>off</SPA><SSL>on</SSL></Protocol>
              <Protocol><Type>EXCH</Type><Server>x</Server></Protocol>
            </Account>
          </Response>
        </Autodiscover>
        """;

    [Fact]
    public void Reads_autodiscover_protocols_and_their_security()
    {
        Assert.True(AutodiscoverResponse.TryParse(Autodiscover, "jo@example.test", "src", SettingsTrust.Https, out var answer, out var error), error);
        Assert.Equal(3, answer!.Settings.Count);
        Assert.Equal(SocketSecurity.Ssl, answer.Settings[0].Security);
        Assert.Equal(SocketSecurity.StartTls, answer.Settings[1].Security); // Encryption TLS = STARTTLS
        Assert.Equal("jo@example.test", answer.Settings[1].Username);      // no LoginName: the address
        Assert.Equal(SocketSecurity.StartTls, answer.Settings[2].Security); // SSL on at 587 = STARTTLS
    }

    [Fact]
    public void Reads_autodiscover_redirects_and_errors()
    {
        const string redirect = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response><Account><Action>redirectAddr</Action><RedirectAddr>jo@other.test</RedirectAddr></Account></Response></Autodiscover>";
        Assert.True(AutodiscoverResponse.TryParse(redirect, "jo@example.test", "src", SettingsTrust.Https, out var answer, out _));
        Assert.Equal("jo@other.test", answer!.RedirectAddress);
        const string failed = "<Autodiscover><Response><Error><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error></Response></Autodiscover>";
        Assert.False(AutodiscoverResponse.TryParse(failed, "jo@example.test", "src", SettingsTrust.Https, out _, out var error));
        Assert.Contains("Invalid Request", error, StringComparison.Ordinal);
    }
}
