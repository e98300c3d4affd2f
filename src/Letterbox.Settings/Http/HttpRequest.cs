using System.Text;

namespace Letterbox.Settings.Http;

/// <summary>A parsed HTTP/1.1 request head (RFC 9112 §3, §5) plus its body.</summary>
public sealed record HttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Host, IReadOnlyDictionary<string, string> Headers)
{
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The declared Content-Length, 0 when absent.</summary>
    public long ContentLength => Headers.TryGetValue("content-length", out var v) && long.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>A query parameter by name, ignoring case (clients send Email=, email= and emailaddress=).</summary>
    public string? QueryValue(string name) => Query.TryGetValue(name, out var v) ? v : null;
}

/// <summary>The outcome of parsing a request head: a request, or the status code that refuses it.</summary>
public readonly record struct HttpHeadResult(HttpRequest? Request, int ErrorStatus, string? Error);

/// <summary>
/// Parses a request head (request line and header fields, up to and including the empty line), pure
/// and without exceptions for bad input. Only what the settings endpoints need: GET, HEAD and POST
/// with a Content-Length body; chunked bodies are refused with 411 (RFC 9110 §15.5.12).
/// </summary>
public static class HttpRequestParser
{
    public const int MaxHeaderCount = 64;

    public static HttpHeadResult ParseHead(ReadOnlySpan<byte> head)
    {
        // RFC 9112 §2.2: header fields are ASCII; a request that is not is refused.
        foreach (var b in head)
        {
            if (b >= 0x80 || (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t'))
            {
                return Fail(400, "non-ASCII or control byte in the request head");
            }
        }
        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3)
        {
            return Fail(400, "malformed request line");
        }
        var (method, target, version) = (requestLine[0], requestLine[1], requestLine[2]);
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return Fail(505, "only HTTP/1.0 and HTTP/1.1 are spoken here");
        }
        if (method is not ("GET" or "HEAD" or "POST"))
        {
            return Fail(405, "method not allowed");
        }
        if (!target.StartsWith('/'))
        {
            return Fail(400, "request target must be an absolute path");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // RFC 9112 §5.1: no whitespace between the field name and the colon.
            if (colon <= 0 || line[..colon].Any(char.IsWhiteSpace))
            {
                return Fail(400, "malformed header field");
            }
            if (++count > MaxHeaderCount)
            {
                return Fail(431, "too many header fields");
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (headers.TryGetValue(name, out var existing))
            {
                // RFC 9112 §6.3: differing Content-Length values, or two Host fields, are request smuggling.
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) || name.Equals("host", StringComparison.OrdinalIgnoreCase))
                {
                    return Fail(400, "repeated " + name);
                }
                headers[name] = existing + ", " + value;
            }
            else
            {
                headers[name] = value;
            }
        }
        if (headers.ContainsKey("transfer-encoding"))
        {
            return Fail(411, "a Content-Length is required");
        }
        if (headers.TryGetValue("content-length", out var length) && !long.TryParse(length, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return Fail(400, "invalid Content-Length");
        }
        var queryAt = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryAt < 0 ? target : target[..queryAt];
        var query = ParseQuery(queryAt < 0 ? "" : target[(queryAt + 1)..]);
        string path;
        try
        {
            path = Uri.UnescapeDataString(rawPath);
        }
        catch (UriFormatException)
        {
            return Fail(400, "malformed path");
        }
        var host = headers.TryGetValue("host", out var h) ? NormaliseHost(h) : null;
        return new HttpHeadResult(new HttpRequest(method, path, query, host, headers), 0, null);
    }

    /// <summary>Host without port or final dot, lower case; null when it is not a plausible name.</summary>
    public static string? NormaliseHost(string value)
    {
        var host = value.Trim();
        if (host.StartsWith('['))
        {
            return null;
        }
        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }
        host = host.TrimEnd('.').ToLowerInvariant();
        return host.Length == 0 ? null : host;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            try
            {
                result.TryAdd(Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' ')));
            }
            catch (UriFormatException)
            {
                // A malformed escape makes the parameter absent; the route then answers as for a missing one.
            }
        }
        return result;
    }

    private static HttpHeadResult Fail(int status, string error) => new(null, status, error);
}
