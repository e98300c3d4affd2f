namespace Letterbox.Store.Embedded;

/// <summary>
/// Canonical flag lists. IMAP flags are case-insensitive (RFC 9051 §2.3.2): system flags are
/// kept with their canonical spelling, keywords as first given, duplicates dropped
/// case-insensitively. \Recent is a session property and never stored (RFC 9051 removed it;
/// RFC 3501 §2.3.2 makes it per session).
/// </summary>
internal static class FlagSet
{
    public const string Seen = "\\Seen";
    public const string Deleted = "\\Deleted";

    private static readonly string[] SystemFlags = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

    /// <summary>Canonical, de-duplicated flags: system flags first in a fixed order, then keywords in order given.</summary>
    public static List<string> Canonical(IEnumerable<string> flags)
    {
        var system = new bool[SystemFlags.Length];
        var keywords = new List<string>();
        foreach (var flag in flags)
        {
            if (string.IsNullOrEmpty(flag) || flag.AsSpan().IndexOfAny(" \t\r\n") >= 0 || flag.Equals("\\Recent", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var index = Array.FindIndex(SystemFlags, s => s.Equals(flag, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                system[index] = true;
            }
            else if (!keywords.Exists(k => k.Equals(flag, StringComparison.OrdinalIgnoreCase)))
            {
                keywords.Add(flag);
            }
        }
        var result = new List<string>(keywords.Count + 2);
        for (var i = 0; i < SystemFlags.Length; i++)
        {
            if (system[i])
            {
                result.Add(SystemFlags[i]);
            }
        }
        result.AddRange(keywords);
        return result;
    }

    /// <summary>The result of a STORE operation on one message's flags (canonical).</summary>
    public static List<string> Apply(IReadOnlyList<string> current, FlagOperation operation, IReadOnlyCollection<string> flags) => operation switch
    {
        FlagOperation.Replace => Canonical(flags),
        FlagOperation.Add => Canonical(current.Concat(flags)),
        FlagOperation.Remove => Canonical(current.Where(f => !flags.Any(r => r.Equals(f, StringComparison.OrdinalIgnoreCase)))),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    public static bool Contains(IReadOnlyList<string> flags, string flag) =>
        flags.Any(f => f.Equals(flag, StringComparison.OrdinalIgnoreCase));

    /// <summary>Stored form: flags joined by spaces (flags are atoms and never contain one, RFC 9051 §9 flag-keyword).</summary>
    public static string Join(IReadOnlyList<string> flags) => string.Join(' ', flags);

    public static IReadOnlyList<string> Split(string stored) =>
        stored.Length == 0 ? [] : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.All(f => Contains(b, f));
}
