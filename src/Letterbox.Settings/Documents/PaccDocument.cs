using System.Security.Cryptography;
using System.Text.Json;

namespace Letterbox.Settings.Documents;

/// <summary>
/// The configuration document of draft-ietf-mailmaint-pacc-02 ("Automatic Configuration of Email, Calendar,
/// and Contact Server Settings", work in progress), served at
/// <c>https://ua-auto-config.&lt;domain&gt;/.well-known/user-agent-configuration.json</c> and bound to the
/// domain by a <c>_ua-auto-config.&lt;domain&gt;</c> TXT record carrying the SHA-256 of the exact bytes served.
/// The draft's protocol entries name the host; ports are the implicit-TLS defaults (993, 465), so only a
/// service on its standard implicit-TLS port is published here.
/// </summary>
public static class PaccDocument
{
    public const string Path = "/.well-known/user-agent-configuration.json";
    public const string ContentType = "application/json";

    /// <summary>The document: <c>{"protocols":{"imap":{"host":...},"smtp":{"host":...}}}</c>.</summary>
    public static string Write(MailServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("protocols");
            if (settings.Incoming.FirstOrDefault(s => s is { Protocol: MailProtocol.Imap, Security: TransportSecurity.ImplicitTls, Port: 993 }) is { } imap)
            {
                w.WriteStartObject("imap");
                w.WriteString("host", imap.Host);
                w.WriteEndObject();
            }
            if (settings.Outgoing is { Security: TransportSecurity.ImplicitTls, Port: 465 } smtp)
            {
                w.WriteStartObject("smtp");
                w.WriteString("host", smtp.Host);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return DocumentText.Utf8.GetString(buffer.ToArray());
    }

    /// <summary>The TXT record value: <c>v=UAAC1; a=sha256; d=&lt;base64 SHA-256 of the served bytes&gt;</c>.</summary>
    public static string DigestRecord(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return "v=UAAC1; a=sha256; d=" + Convert.ToBase64String(SHA256.HashData(DocumentText.Utf8.GetBytes(document)));
    }
}
