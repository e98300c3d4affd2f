using System.Text.Json;

namespace Letterbox.Settings.Documents;

/// <summary>
/// Autodiscover v2 (<c>/autodiscover/autodiscover.json?Email=...&amp;Protocol=...</c>), which current Outlook
/// versions try before the XML endpoint. Exchange answers Protocol=AutodiscoverV1 with the URL of the
/// POX endpoint; Outlook then POSTs there. Letterbox serves no Exchange protocol (EWS, ActiveSync, REST),
/// so for those it answers as Exchange does for a protocol it cannot provide: 404 with an error object.
/// Reference: Microsoft Learn, "Autodiscover for Exchange" / Autodiscover v2 (JSON) endpoint.
/// </summary>
public static class AutodiscoverJson
{
    public const string ContentType = "application/json; charset=utf-8";
    public const string AutodiscoverV1 = "AutodiscoverV1";

    /// <summary>Exchange's list of protocol values (its InvalidProtocol error names them).</summary>
    public static readonly IReadOnlyList<string> KnownProtocols = ["AutodiscoverV1", "Ews", "Rest", "ActiveSync", "Substrate", "SubstrateSearchService", "SubstrateNotificationService", "OutlookMeetingScheduler", "OutlookPay", "OutlookLocationsService", "OutlookCloudSettingsService", "OutlookTailoredExperiences", "OwaPoweredExperience", "OwaPoweredExperienceV2", "XrmApi"];

    /// <summary>The answer to Protocol=AutodiscoverV1: where the POX endpoint is.</summary>
    public static string WriteRedirect(string autodiscoverXmlUrl)
        => Write(w =>
        {
            w.WriteString("Protocol", AutodiscoverV1);
            w.WriteString("Url", autodiscoverXmlUrl);
        });

    /// <summary>An error object as Exchange writes it: ErrorCode and ErrorMessage.</summary>
    public static string WriteError(string code, string message)
        => Write(w =>
        {
            w.WriteString("ErrorCode", code);
            w.WriteString("ErrorMessage", message);
        });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return DocumentText.Utf8.GetString(buffer.ToArray());
    }
}
