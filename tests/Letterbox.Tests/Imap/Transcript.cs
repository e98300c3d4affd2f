namespace Letterbox.Tests.Imap;

/// <summary>
/// A C:/S: exchange checked line by line against a running server. "C: " lines are sent;
/// "S: " lines are expected in order. An expected line ending in "..." matches by prefix.
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
                if (expected.EndsWith("...", StringComparison.Ordinal))
                {
                    Assert.StartsWith(expected[..^3], actual, StringComparison.Ordinal);
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
}
