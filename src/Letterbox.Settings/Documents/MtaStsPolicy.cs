using System.Security.Cryptography;
using System.Text;

namespace Letterbox.Settings.Documents;

/// <summary>
/// The MTA-STS policy file (RFC 8461 §3.2) served at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>,
/// and the id of its <c>_mta-sts</c> TXT record (§3.1).
/// </summary>
public static class MtaStsPolicy
{
    public const string Path = "/.well-known/mta-sts.txt";
    public const string ContentType = "text/plain; charset=utf-8";

    /// <summary>The policy: version, mode, one mx line (the host name), max_age; CRLF line ends (§3.2).</summary>
    public static string Write(string mxHost, string mode, int maxAgeSeconds)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(mode);
        return $"version: STSv1\r\nmode: {mode}\r\nmx: {mxHost}\r\nmax_age: {maxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\r\n";
    }

    /// <summary>
    /// The policy id: 1–32 alphanumerics (§3.1) that change whenever the policy changes; derived from the
    /// policy's SHA-256 so re-running <c>letterbox dns</c> gives the same id for the same policy.
    /// </summary>
    public static string Id(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(policy)))[..20].ToLowerInvariant();
    }
}
