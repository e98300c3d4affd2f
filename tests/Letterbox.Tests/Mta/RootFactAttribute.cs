namespace Letterbox.Tests.Mta;

/// <summary>
/// A test that needs root: starting a Postfix instance (its master process switches to the
/// <c>postfix</c> user and owns its queue). CI runs the suite as root; elsewhere the test is
/// reported as skipped with the reason, never silently passed.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot)
        {
            Skip = "needs root: Postfix's master runs as root and hands its queue to the postfix user (CI runs the tests as root)";
        }
    }

    /// <summary>The effective uid is 0 (read from /proc: .NET has no geteuid).</summary>
    public static bool IsRoot
    {
        get
        {
            const string status = "/proc/self/status";
            if (!File.Exists(status))
            {
                return false;
            }
            var uid = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = uid?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            // Uid: real effective saved filesystem
            return fields is { Length: >= 3 } && fields[2] == "0";
        }
    }
}
