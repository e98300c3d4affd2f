using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Letterbox.Discovery.Providers;

namespace Letterbox.Discovery.Documents;

/// <summary>
/// Reads a Thunderbird autoconfig document (clientConfig version 1.1, the format of
/// /mail/config-v1.1.xml and the ISPDB). Parsing is pure: text in, settings or an error out.
/// </summary>
public static class AutoconfigDocument
{
    /// <summary>Documents larger than this are refused (the ISPDB's largest is a few KiB).</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>
    /// The servers in <paramref name="xml"/>, in document order, usernames filled in for the address.
    /// Returns false with <paramref name="error"/> for anything that is not a usable clientConfig.
    /// </summary>
    public static bool TryParse(string xml, string localPart, string domain, string source, SettingsTrust trust,
        out IReadOnlyList<ServerSetting> settings, out string? error)
    {
        settings = [];
        if (xml.Length > MaxLength)
        {
            error = $"document is larger than {MaxLength} characters";
            return false;
        }
        if (!XmlText.TryLoad(xml, out var document, out error))
        {
            return false;
        }
        var root = document!.Root!;
        if (root.Name.LocalName != "clientConfig")
        {
            error = $"root element is <{root.Name.LocalName}>, not <clientConfig>";
            return false;
        }
        var provider = root.Elements().FirstOrDefault(e => e.Name.LocalName == "emailProvider");
        if (provider is null)
        {
            error = "no <emailProvider> element";
            return false;
        }
        var result = new List<ServerSetting>();
        var warnings = new List<string>();
        foreach (var server in provider.Elements().Where(e => e.Name.LocalName is "incomingServer" or "outgoingServer"))
        {
            var type = (string?)server.Attribute("type");
            MailProtocol? protocol = type?.ToLowerInvariant() switch
            {
                "imap" => MailProtocol.Imap,
                "pop3" => MailProtocol.Pop3,
                "smtp" => MailProtocol.Smtp,
                _ => null,
            };
            if (protocol is null)
            {
                continue; // exchange, ews, jmap...: not protocols Letterbox configures
            }
            var host = XmlText.Child(server, "hostname");
            var portText = XmlText.Child(server, "port");
            var security = SocketSecurityNames.Parse(XmlText.Child(server, "socketType"));
            if (string.IsNullOrEmpty(host) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || security is null)
            {
                warnings.Add($"skipped a {type} server with a missing or invalid hostname, port or socketType");
                continue;
            }
            var username = UsernameTemplate.Fill(XmlText.Child(server, "username") ?? "%EMAILADDRESS%", localPart, domain);
            result.Add(new ServerSetting(protocol.Value, UsernameTemplate.Fill(host, localPart, domain).ToLowerInvariant(), port, security.Value, username, source, trust) { Warnings = warnings.ToArray() });
        }
        if (result.Count == 0)
        {
            error = "no IMAP, POP3 or SMTP server in the document";
            return false;
        }
        settings = result;
        error = null;
        return true;
    }
}

/// <summary>Safe XML loading shared by the document readers: no DTDs, no external entities.</summary>
internal static class XmlText
{
    public static bool TryLoad(string xml, out XDocument? document, out string? error)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = AutoconfigDocument.MaxLength * 2 };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml.TrimStart('\uFEFF')), settings);
            document = XDocument.Load(reader);
            error = document.Root is null ? "empty document" : null;
            return document.Root is not null;
        }
        catch (XmlException e)
        {
            document = null;
            error = $"not well-formed XML: {e.Message}";
            return false;
        }
    }

    public static string? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName.Equals(localName, StringComparison.OrdinalIgnoreCase))?.Value.Trim();
}
