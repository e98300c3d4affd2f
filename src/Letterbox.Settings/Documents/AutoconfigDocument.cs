using System.Xml;

namespace Letterbox.Settings.Documents;

/// <summary>
/// Thunderbird autoconfig, clientConfig version 1.1: the file Thunderbird fetches from
/// <c>https://autoconfig.&lt;domain&gt;/mail/config-v1.1.xml</c> and
/// <c>https://&lt;domain&gt;/.well-known/autoconfig/mail/config-v1.1.xml</c>.
/// Format: https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat and
/// draft-ietf-mailmaint-autoconfig (§ "Config file format").
/// </summary>
public static class AutoconfigDocument
{
    public const string ContentType = "text/xml; charset=utf-8";

    /// <summary>
    /// IMAP services first, then POP3 (Thunderbird takes the first incomingServer it can use), then the
    /// outgoing server only when a submission server is configured. Plaintext-only services are left out:
    /// socketType is exactly "SSL" or "STARTTLS". The username is the placeholder %EMAILADDRESS%, which the
    /// client replaces with the address the user typed, so the document is the same for every address.
    /// </summary>
    public static string Write(MailServerSettings settings, string domain)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(domain);
        return DocumentText.WriteXml(w =>
        {
            w.WriteStartDocument();
            w.WriteStartElement("clientConfig");
            w.WriteAttributeString("version", "1.1");
            w.WriteStartElement("emailProvider");
            w.WriteAttributeString("id", domain);
            w.WriteElementString("domain", domain);
            w.WriteElementString("displayName", domain + " mail (" + settings.HostName + ")");
            w.WriteElementString("displayShortName", domain);
            foreach (var service in settings.Incoming.Where(s => s.Security != TransportSecurity.None))
            {
                w.WriteStartElement("incomingServer");
                w.WriteAttributeString("type", service.Protocol == MailProtocol.Imap ? "imap" : "pop3");
                WriteServer(w, service);
                w.WriteEndElement();
            }
            // Letterbox has no submission server: its port 25 is the domain's MX and does not relay for
            // clients, so an outgoingServer pointing there would be wrong. Only a configured one is published.
            if (settings.Outgoing is { Security: not TransportSecurity.None } outgoing)
            {
                w.WriteStartElement("outgoingServer");
                w.WriteAttributeString("type", "smtp");
                WriteServer(w, outgoing);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        });
    }

    private static void WriteServer(XmlWriter w, MailService service)
    {
        w.WriteElementString("hostname", service.Host);
        w.WriteElementString("port", DocumentText.Number(service.Port));
        w.WriteElementString("socketType", service.Security == TransportSecurity.ImplicitTls ? "SSL" : "STARTTLS");
        // "password-cleartext": the password is sent as is, protected by the TLS the socketType demands.
        w.WriteElementString("authentication", "password-cleartext");
        w.WriteElementString("username", "%EMAILADDRESS%");
    }
}
