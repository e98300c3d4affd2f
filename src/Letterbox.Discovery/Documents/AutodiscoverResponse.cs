using System.Globalization;
using System.Xml.Linq;

namespace Letterbox.Discovery.Documents;

/// <summary>What an Autodiscover POX response says: settings, or a redirect to another address or URL.</summary>
public sealed record AutodiscoverAnswer(IReadOnlyList<ServerSetting> Settings, string? RedirectAddress, string? RedirectUrl);

/// <summary>
/// Reads an Outlook Autodiscover "POX" response (responseschema/2006 with the outlook 2006a Account
/// element): Protocol elements of Type IMAP/POP3/SMTP, Action settings/redirectAddr/redirectUrl.
/// </summary>
public static class AutodiscoverResponse
{
    /// <summary>Parses <paramref name="xml"/>; false with <paramref name="error"/> when it is not a usable response.</summary>
    public static bool TryParse(string xml, string address, string source, SettingsTrust trust, out AutodiscoverAnswer? answer, out string? error)
    {
        answer = null;
        if (xml.Length > AutoconfigDocument.MaxLength)
        {
            error = $"document is larger than {AutoconfigDocument.MaxLength} characters";
            return false;
        }
        if (!XmlText.TryLoad(xml, out var document, out error))
        {
            return false;
        }
        var root = document!.Root!;
        if (root.Name.LocalName != "Autodiscover")
        {
            error = $"root element is <{root.Name.LocalName}>, not <Autodiscover>";
            return false;
        }
        var responseError = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        var account = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Account");
        if (account is null)
        {
            var message = responseError is null ? null : XmlText.Child(responseError, "Message");
            error = message is null ? "no <Account> element" : $"server answered an error: {message}";
            return false;
        }
        var action = XmlText.Child(account, "Action");
        if (string.Equals(action, "redirectAddr", StringComparison.OrdinalIgnoreCase))
        {
            answer = new AutodiscoverAnswer([], XmlText.Child(account, "RedirectAddr"), null);
            return true;
        }
        if (string.Equals(action, "redirectUrl", StringComparison.OrdinalIgnoreCase))
        {
            answer = new AutodiscoverAnswer([], null, XmlText.Child(account, "RedirectUrl"));
            return true;
        }
        var settings = new List<ServerSetting>();
        foreach (var protocol in account.Elements().Where(e => e.Name.LocalName == "Protocol"))
        {
            MailProtocol? type = XmlText.Child(protocol, "Type")?.ToUpperInvariant() switch
            {
                "IMAP" => MailProtocol.Imap,
                "POP3" => MailProtocol.Pop3,
                "SMTP" => MailProtocol.Smtp,
                _ => null,
            };
            var host = XmlText.Child(protocol, "Server");
            if (type is null || string.IsNullOrEmpty(host)
                || !int.TryParse(XmlText.Child(protocol, "Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                continue; // EXCH/EXPR/WEB protocols, or an incomplete entry
            }
            var security = SecurityOf(XmlText.Child(protocol, "Encryption"), XmlText.Child(protocol, "SSL"), type.Value, port);
            var login = XmlText.Child(protocol, "LoginName");
            settings.Add(new ServerSetting(type.Value, host.ToLowerInvariant(), port, security, string.IsNullOrEmpty(login) ? address : login, source, trust));
        }
        if (settings.Count == 0)
        {
            error = "no IMAP, POP3 or SMTP Protocol element";
            return false;
        }
        answer = new AutodiscoverAnswer(settings, null, null);
        error = null;
        return true;
    }

    // [MS-OXDSCLI] §2.2.4.1.1.2.3.4: Encryption (None, SSL, TLS, Auto) wins over the older SSL on/off;
    // "TLS" there means STARTTLS, "SSL" means TLS from the first byte.
    private static SocketSecurity SecurityOf(string? encryption, string? ssl, MailProtocol protocol, int port)
    {
        switch (encryption?.ToUpperInvariant())
        {
            case "SSL": return SocketSecurity.Ssl;
            case "TLS": return SocketSecurity.StartTls;
            case "NONE": return SocketSecurity.None;
        }
        if (string.Equals(ssl, "off", StringComparison.OrdinalIgnoreCase))
        {
            return SocketSecurity.None;
        }
        return port == SocketSecurityNames.StandardPort(protocol, SocketSecurity.Ssl) ? SocketSecurity.Ssl : SocketSecurity.StartTls;
    }
}
