using Letterbox.Hosting;
using Letterbox.Store.Embedded;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Hosting;

/// <summary><c>Timeouts:AccountIdleSeconds</c> reaches the store, and a negative value stops the start with a clear error.</summary>
public sealed class AccountIdleOptionTests
{
    [Theory]
    [InlineData(0, 0)]   // closed as soon as nothing uses it
    [InlineData(300, 1)] // the default: kept open for the next session or delivery
    public async Task An_unused_account_closes_after_the_configured_idle_time(int seconds, int openAfterwards)
    {
        await using var server = await TestServer.StartAsync(o => o.Timeouts.AccountIdleSeconds = seconds);
        var store = (EmbeddedMailStore)server.Server.Store;
        Assert.Equal(TimeSpan.FromSeconds(seconds), store.AccountIdleTimeout);

        var user = (await server.Server.Directory.FindUserAsync(server.User))!;
        await using (var account = await store.OpenAccountAsync(user))
        {
            Assert.NotNull(await account.GetMailboxAsync("INBOX"));
        }
        await store.CloseIdleAccountsAsync();
        Assert.Equal(openAfterwards, store.OpenAccountCount);
    }

    [Fact]
    public async Task A_negative_idle_time_is_refused_at_start()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServer.StartAsync(o => o.Timeouts.AccountIdleSeconds = -1));
        Assert.Contains("Timeouts:AccountIdleSeconds is -1", e.Message, StringComparison.Ordinal);
    }
}
