using MailKit.Net.Imap;
using MailKit.Security;
using Letterbox.Imap;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;

namespace Letterbox.Tests.Imap;

public sealed class ImapStartTlsTests
{
    [Fact]
    public async Task Starttls_upgrades_and_then_allows_login_when_plaintext_is_refused()
    {
        await using var server = await ImapTestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false, startTls: true);
        using (var raw = await server.ConnectRawAsync())
        {
            var greeting = await raw.ReadLineAsync();
            Assert.Contains(" STARTTLS", greeting);
            Assert.Contains("LOGINDISABLED", greeting);
            var refused = await raw.CommandAsync("a1", "LOGIN alice@example.com \"correct horse battery\"");
            Assert.StartsWith("a1 NO [PRIVACYREQUIRED]", refused[^1], StringComparison.Ordinal);
        }

        using var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(ImapTestServer.User, ImapTestServer.Password);
        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(true);
    }
}

public sealed class ImapStartTlsInjectionTests
{
    [Fact]
    public async Task Plaintext_pipelined_after_starttls_is_discarded()
    {
        await using var server = await ImapTestServer.StartAsync(startTls: true);
        using var c = await server.ConnectRawAsync();
        await c.ReadLineAsync();
        // RFC 3207 §4.2 / RFC 2595 §3.1: "a2" rides in the same packet and must never be executed.
        await c.SendAsync("a1 STARTTLS\r\na2 LOGIN alice@example.com \"correct horse battery\"\r\n");
        Assert.Equal("a1 OK Begin TLS negotiation now", await c.ReadLineAsync());
        await c.UpgradeToTlsAsync();
        var capability = await c.CommandAsync("a3", "CAPABILITY");
        Assert.DoesNotContain(" STARTTLS", capability[0]);
        Assert.Contains("AUTH=PLAIN", capability[0]);
        Assert.Equal("a3 OK CAPABILITY completed", capability[^1]);
        var select = await c.CommandAsync("a4", "SELECT INBOX");
        Assert.Equal(["a4 BAD Log in first"], select);
    }
}

/// <summary>The command table itself (STYLE: test the table).</summary>
public sealed class CommandTableTests
{
    [Fact]
    public void Every_command_is_registered_once()
    {
        foreach (var name in Enum.GetValues<CommandName>())
        {
            Assert.True(CommandTable.Entries.ContainsKey(name), $"{name} has no entry");
            Assert.Equal(name, CommandTable.Entries[name].Name);
        }
    }

    [Theory]
    [InlineData(CommandName.Login, SessionStates.NotAuthenticated)]
    [InlineData(CommandName.Authenticate, SessionStates.NotAuthenticated)]
    [InlineData(CommandName.StartTls, SessionStates.NotAuthenticated)]
    [InlineData(CommandName.Select, SessionStates.LoggedIn)]
    [InlineData(CommandName.Append, SessionStates.LoggedIn)]
    [InlineData(CommandName.Fetch, SessionStates.Selected)]
    [InlineData(CommandName.Expunge, SessionStates.Selected)]
    [InlineData(CommandName.Close, SessionStates.Selected)]
    [InlineData(CommandName.Capability, SessionStates.Any)]
    [InlineData(CommandName.Logout, SessionStates.Any)]
    public void States_follow_rfc_9051(CommandName name, object states) =>
        Assert.Equal((SessionStates)states, CommandTable.Entries[name].States);

    [Fact]
    public void Expunge_is_held_back_after_sequence_number_commands_only_in_their_non_uid_form()
    {
        var fetch = CommandTable.Entries[CommandName.Fetch];
        Assert.False(fetch.AllowsExpungeAfter(new ImapCommand("a", CommandName.Fetch)));
        Assert.True(fetch.AllowsExpungeAfter(new ImapCommand("a", CommandName.Fetch, Uid: true)));
        Assert.False(CommandTable.Entries[CommandName.Store].AllowsExpungeAfter(new ImapCommand("a", CommandName.Store)));
        Assert.False(CommandTable.Entries[CommandName.Search].AllowsExpungeAfter(new ImapCommand("a", CommandName.Search)));
        Assert.True(CommandTable.Entries[CommandName.Noop].AllowsExpungeAfter(new ImapCommand("a", CommandName.Noop)));
        Assert.True(CommandTable.Entries[CommandName.Noop].Flags.HasFlag(CommandFlags.ReportsUpdates));
        Assert.True(CommandTable.Entries[CommandName.Idle].Flags.HasFlag(CommandFlags.ReportsUpdates));
        Assert.True(CommandTable.Entries[CommandName.Check].Flags.HasFlag(CommandFlags.ReportsUpdates));
    }

    [Theory]
    [InlineData("*", "a/b/c", true)]
    [InlineData("%", "a/b", false)]
    [InlineData("a/%", "a/b", true)]
    [InlineData("a/%", "a/b/c", false)]
    [InlineData("inbox", "INBOX", true)]
    [InlineData("Inbox/%", "INBOX/x", true)]
    [InlineData("a*c", "a/b/c", true)]
    [InlineData("a%c", "a/b/c", false)]
    public void List_patterns(string pattern, string name, bool matches) =>
        Assert.Equal(matches, MailboxNames.Matches(pattern, name));

    [Fact]
    public void Uid_sets_are_compact() =>
        Assert.Equal("1:3,5,7:8", UidSetText.Format([1, 2, 3, 5, 7, 8]));
}
