namespace Letterbox.Core;

// Placeholder until the accounts work lands; replaced by the real rules.
internal static class HostNameRules
{
    public static string ToUnicode(string value) => value;

    public static bool TryParse(string? input, bool requireFullyQualified, out HostName host, out string? error)
    {
        host = new HostName((input ?? "").ToLowerInvariant());
        error = null;
        return !string.IsNullOrEmpty(input);
    }
}
