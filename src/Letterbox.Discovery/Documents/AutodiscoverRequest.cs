using System.Security;

namespace Letterbox.Discovery.Documents;

/// <summary>The Outlook Autodiscover "POX" request (requestschema/2006) asking for the outlook 2006a settings.</summary>
public static class AutodiscoverRequest
{
    /// <summary>The request body for <paramref name="address"/>, POSTed as text/xml.</summary>
    public static string Write(string address) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" +
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">" +
        $"<Request><EMailAddress>{SecurityElement.Escape(address)}</EMailAddress>" +
        "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>" +
        "</Request></Autodiscover>";
}
