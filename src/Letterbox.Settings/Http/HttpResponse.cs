using System.Text;

namespace Letterbox.Settings.Http;

/// <summary>A complete response: status, content type and body (all documents are small).</summary>
public sealed record HttpResponse(int Status, string ContentType, byte[] Body)
{
    public static HttpResponse Text(int status, string contentType, string body) => new(status, contentType, new UTF8Encoding(false).GetBytes(body));

    public static HttpResponse NotFound() => Text(404, "text/plain; charset=utf-8", "not found\n");

    /// <summary>The status line and headers, then the body unless <paramref name="headOnly"/>. Always Connection: close.</summary>
    public byte[] Serialise(bool headOnly)
    {
        var head = $"HTTP/1.1 {Status.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Reason(Status)}\r\n"
            + $"Content-Type: {ContentType}\r\n"
            + $"Content-Length: {Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)}\r\n"
            + "Cache-Control: no-cache\r\n"
            + "X-Content-Type-Options: nosniff\r\n"
            + "Connection: close\r\n\r\n";
        var headBytes = Encoding.ASCII.GetBytes(head);
        return headOnly ? headBytes : [.. headBytes, .. Body];
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    };
}
