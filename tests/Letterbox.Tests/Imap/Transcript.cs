namespace Letterbox.Tests.Imap;

/// <summary>
/// A C:/S: exchange checked line by line against a running server. "C: " lines are sent;
/// "S: " lines are expected in order. "..." in an expected line matches any text.
/// </summary>
internal static class Transcript
{
    public static async Task RunAsync(RawImapClient client, string script)
    {
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.TrimEnd('\r').TrimStart();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("C: ", StringComparison.Ordinal))
            {
                await client.SendLineAsync(line[3..]);
            }
            else if (line.StartsWith("S: ", StringComparison.Ordinal))
            {
                var expected = line[3..];
                var actual = await client.ReadLineAsync();
                Assert.NotNull(actual);
                if (expected.Contains("...", StringComparison.Ordinal))
                {
                    var pattern = "^" + string.Join(".*", expected.Split("...").Select(System.Text.RegularExpressions.Regex.Escape)) + "$";
                    Assert.Matches(pattern, actual);
                }
                else
                {
                    Assert.Equal(expected, actual);
                }
            }
            else
            {
                throw new ArgumentException("transcript lines start with C: or S:, not: " + line);
            }
        }
    }

    /// <summary>
    /// The expected lines of a SELECT of a read-write mailbox with <paramref name="exists"/> messages
    /// and UIDNEXT <paramref name="uidNext"/>, preceded by [CLOSED] when another mailbox was selected.
    /// </summary>
    public static string Selected(string tag, int exists, uint uidNext, bool closed = false) =>
        (closed ? "S: * OK [CLOSED] Previous mailbox closed\n" : "") +
        $"S: * {exists} EXISTS\nS: * 0 RECENT\nS: * FLAGS ...\nS: * OK [PERMANENTFLAGS ...\nS: * OK [UIDVALIDITY ...\n" +
        $"S: * OK [UIDNEXT {uidNext}] Predicted next UID\nS: * OK [HIGHESTMODSEQ ...\nS: {tag} OK [READ-WRITE] SELECT completed";
}
