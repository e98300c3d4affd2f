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

    /// <summary>
    /// The flags of a stored "flag flag ..." text. Lists are shared between messages with the same
    /// flags: a mailbox has few distinct combinations ("", "\\Seen", "\\Seen \\Answered"...), and every
    /// session's view holds one list per message, so 10,000 IDLE sessions on a large mailbox would
    /// otherwise hold millions of identical small arrays. Bounded: past
    /// <see cref="MaxSharedCombinations"/> distinct texts, lists are made afresh.
    /// </summary>
    public static IReadOnlyList<string> Split(string stored)
    {
        if (stored.Length == 0)
        {
            return [];
        }
        if (Shared.TryGetValue(stored, out var shared))
        {
            return shared;
        }
        var flags = stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (Shared.Count < MaxSharedCombinations && stored.Length <= 256)
        {
            Shared.TryAdd(stored, flags);
        }
        return flags;
    }

    /// <summary>How many distinct flag texts are shared at most.</summary>
    public const int MaxSharedCombinations = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> Shared = new(StringComparer.Ordinal);

    public static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.All(f => Contains(b, f));
}
