using System.Xml;

namespace Letterbox.Settings.Documents;

/// <summary>
/// Outlook Autodiscover "POX" (plain old XML) for IMAP/POP3/SMTP accounts, [MS-OXDSCLI] §2.2.4:
/// request schema <see cref="RequestSchema"/>, response schema <see cref="ResponseSchema"/>.
/// </summary>
public static class AutodiscoverDocument
{
    public const string RequestSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
    public const string ResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    /// <summary>The outer Autodiscover element's namespace ([MS-OXDSCLI] §2.2.4.2).</summary>
    public const string EnvelopeSchema = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    public const string ContentType = "text/xml; charset=utf-8";

    /// <summary>
    /// The settings response: one Protocol element per type (IMAP, POP3, SMTP), each the preferred
    /// service of its kind (implicit TLS before STARTTLS), LoginName the full address, SPA off
    /// (no NTLM), AuthRequired on. Encryption "SSL" is implicit TLS, "TLS" is STARTTLS ([MS-OXDSCLI] §2.2.4.1.1.2.2.x).
    /// </summary>
    public static string Write(MailServerSettings settings, string emailAddress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(emailAddress);
        var services = new List<MailService>();
        foreach (var protocol in new[] { MailProtocol.Imap, MailProtocol.Pop3 })
        {
            if (settings.Preferred(protocol) is { Security: not TransportSecurity.None } best)
            {
                services.Add(best);
            }
        }
        if (settings.Outgoing is { Security: not TransportSecurity.None } outgoing)
        {
            services.Add(outgoing);
        }
        return DocumentText.WriteXml(w =>
        {
            w.WriteStartDocument();
            w.WriteStartElement("Autodiscover", EnvelopeSchema);
            w.WriteStartElement("Response", ResponseSchema);
            w.WriteStartElement("Account", ResponseSchema);
            w.WriteElementString("AccountType", ResponseSchema, "email");
            w.WriteElementString("Action", ResponseSchema, "settings");
            foreach (var service in services)
            {
                w.WriteStartElement("Protocol", ResponseSchema);
                w.WriteElementString("Type", ResponseSchema, service.ProtocolLabel);
                w.WriteElementString("Server", ResponseSchema, service.Host);
                w.WriteElementString("Port", ResponseSchema, DocumentText.Number(service.Port));
                w.WriteElementString("DomainRequired", ResponseSchema, "off");
                w.WriteElementString("LoginName", ResponseSchema, emailAddress);
                w.WriteElementString("SPA", ResponseSchema, "off");
                w.WriteElementString("SSL", ResponseSchema, "on");
                w.WriteElementString("Encryption", ResponseSchema, service.Security == TransportSecurity.ImplicitTls ? "SSL" : "TLS");
                w.WriteElementString("AuthRequired", ResponseSchema, "on");
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        });
    }

    /// <summary>
    /// An error response ([MS-OXDSCLI] §2.2.4.2.1.1): 600 "Invalid Request", 601 "Provider is not
    /// available" (the schema asked for is not one we answer).
    /// </summary>
    public static string WriteError(int code, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return DocumentText.WriteXml(w =>
        {
            w.WriteStartDocument();
            w.WriteStartElement("Autodiscover", EnvelopeSchema);
            w.WriteStartElement("Response", EnvelopeSchema);
            w.WriteStartElement("Error", EnvelopeSchema);
            w.WriteElementString("ErrorCode", EnvelopeSchema, DocumentText.Number(code));
            w.WriteElementString("Message", EnvelopeSchema, message);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        });
    }
}
