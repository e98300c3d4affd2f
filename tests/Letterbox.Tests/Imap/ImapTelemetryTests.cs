using System.Collections.Concurrent;
using System.Diagnostics;

namespace Letterbox.Tests.Imap;

/// <summary>Every IMAP command is traced as an activity of the "Letterbox.Imap" source.</summary>
public sealed class ImapTelemetryTests
{
    [Fact]
    public async Task Each_command_is_an_activity_with_its_outcome()
    {
        var seen = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Letterbox.Imap",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await ImapTestServer.StartAsync();
        using var c = await server.ConnectRawAsync();
        await c.ReadLineAsync();
        await c.CommandAsync("a1", "LOGIN alice@example.com \"correct horse battery\"");
        await c.CommandAsync("a2", "SELECT Nonexistent");

        // Other tests run at the same time and may add their own; ours are among them.
        Assert.Contains(seen, a => a.DisplayName == "imap Login" && (string?)a.GetTagItem("imap.status") == "Ok");
        Assert.Contains(seen, a => a.DisplayName == "imap Select" && (string?)a.GetTagItem("imap.status") == "No");
    }
}
