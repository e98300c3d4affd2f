using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace Letterbox.Settings.Documents;

/// <summary>
/// An Apple configuration profile (<c>.mobileconfig</c>) with one <c>com.apple.mail.managed</c> payload,
/// unsigned. Keys from Apple's Configuration Profile Reference / Device Management "Mail" payload
/// (developer.apple.com/documentation/devicemanagement/mail).
/// </summary>
public static class AppleMailProfile
{
    public const string ContentType = "application/x-apple-aspen-config";

    /// <summary>
    /// The profile for <paramref name="emailAddress"/>: the preferred IMAP service (else POP3), password
    /// authentication, the full address as username; the outgoing server when one is configured.
    /// PayloadUUIDs are derived from the address and host name, so downloading the profile again
    /// replaces the installed one instead of adding a second account. Returns null when the server
    /// offers no TLS-protected incoming service to put in it.
    /// </summary>
    public static string? Write(MailServerSettings settings, string emailAddress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(emailAddress);
        var incoming = settings.Preferred(MailProtocol.Imap) is { Security: not TransportSecurity.None } imap ? imap
            : settings.Preferred(MailProtocol.Pop3) is { Security: not TransportSecurity.None } pop ? pop : null;
        if (incoming is null)
        {
            return null;
        }
        var address = emailAddress.ToLowerInvariant();
        var reverseHost = string.Join('.', settings.HostName.Split('.').Reverse());
        var profileUuid = DeterministicUuid("profile", address, settings.HostName);
        var mailUuid = DeterministicUuid("mail", address, settings.HostName);
        return DocumentText.WriteXml(w =>
        {
            w.WriteStartDocument();
            // The plist DTD is only named, never fetched; Apple's parsers expect this exact DOCTYPE.
            w.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
            w.WriteStartElement("plist");
            w.WriteAttributeString("version", "1.0");
            w.WriteStartElement("dict");
            Key(w, "PayloadContent");
            w.WriteStartElement("array");
            w.WriteStartElement("dict");
            String(w, "EmailAccountDescription", emailAddress);
            String(w, "EmailAccountType", incoming.Protocol == MailProtocol.Imap ? "EmailTypeIMAP" : "EmailTypePOP");
            String(w, "EmailAddress", emailAddress);
            String(w, "IncomingMailServerAuthentication", "EmailAuthPassword");
            String(w, "IncomingMailServerHostName", incoming.Host);
            Integer(w, "IncomingMailServerPortNumber", incoming.Port);
            // UseSSL covers STARTTLS too: Mail upgrades on a plaintext port when this is true.
            Bool(w, "IncomingMailServerUseSSL", true);
            String(w, "IncomingMailServerUsername", emailAddress);
            if (settings.Outgoing is { Security: not TransportSecurity.None } outgoing)
            {
                String(w, "OutgoingMailServerAuthentication", "EmailAuthPassword");
                String(w, "OutgoingMailServerHostName", outgoing.Host);
                Integer(w, "OutgoingMailServerPortNumber", outgoing.Port);
                Bool(w, "OutgoingMailServerUseSSL", true);
                String(w, "OutgoingMailServerUsername", emailAddress);
                Bool(w, "OutgoingPasswordSameAsIncomingPassword", false);
            }
            String(w, "PayloadDescription", "Mail account " + emailAddress);
            String(w, "PayloadDisplayName", emailAddress);
            String(w, "PayloadIdentifier", reverseHost + ".letterbox.mail." + mailUuid);
            String(w, "PayloadType", "com.apple.mail.managed");
            String(w, "PayloadUUID", mailUuid);
            Integer(w, "PayloadVersion", 1);
            w.WriteEndElement();
            w.WriteEndElement();
            String(w, "PayloadDescription", "Mail settings for " + emailAddress + " on " + settings.HostName);
            String(w, "PayloadDisplayName", "Mail: " + emailAddress);
            String(w, "PayloadIdentifier", reverseHost + ".letterbox.profile." + profileUuid);
            Bool(w, "PayloadRemovalDisallowed", false);
            String(w, "PayloadType", "Configuration");
            String(w, "PayloadUUID", profileUuid);
            Integer(w, "PayloadVersion", 1);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        });
    }

    /// <summary>A version-5-style UUID (RFC 9562 §5.5 layout) from SHA-256 of the inputs, upper case as Apple writes them.</summary>
    public static string DeterministicUuid(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexString(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static void Key(XmlWriter w, string key) => w.WriteElementString("key", key);

    private static void String(XmlWriter w, string key, string value)
    {
        Key(w, key);
        w.WriteElementString("string", value);
    }

    private static void Integer(XmlWriter w, string key, int value)
    {
        Key(w, key);
        w.WriteElementString("integer", DocumentText.Number(value));
    }

    private static void Bool(XmlWriter w, string key, bool value)
    {
        Key(w, key);
        w.WriteStartElement(value ? "true" : "false");
        w.WriteEndElement();
    }
}
