using MailKit.Net.Pop3;
using MailKit.Security;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>MailKit's Pop3Client end to end, over STLS and implicit TLS.</summary>
public class MailKitPop3Tests
{
    private static async Task<Pop3Client> ConnectAsync(Pop3TestServer server, bool implicitTls)
    {
        var client = new Pop3Client { ServerCertificateValidationCallback = (_, _, _, _) => true };
        var endPoint = implicitTls ? server.Pop3s : server.Pop3;
        await client.ConnectAsync("127.0.0.1", endPoint.Port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        return client;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retrieves_lists_and_deletes(bool implicitTls)
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        var originals = Enumerable.Range(0, 8).Select(i => TestMessages.Create(i)).ToArray();
        await server.DeliverAsync(originals);
        var stored = await server.InboxAsync();

        using (var client = await ConnectAsync(server, implicitTls))
        {
            Assert.True(client.IsSecure);
            Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.UIDL));
            Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.Top));
            Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.Pipelining));
            Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.Sasl));
            Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.ResponseCodes));
            Assert.False(client.Capabilities.HasFlag(Pop3Capabilities.Apop));
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            Assert.Equal("Letterbox", client.Implementation);
            await client.AuthenticateAsync(server.User, Pop3TestServer.Password);

            Assert.Equal(8, client.Count);
            Assert.Equal(stored.Select(m => m.EmailId), await client.GetMessageUidsAsync());
            Assert.Equal(stored.Select(m => (int)m.Size), await client.GetMessageSizesAsync());
            for (var i = 0; i < originals.Length; i++)
            {
                using var raw = await client.GetStreamAsync(i);
                using var copy = new MemoryStream();
                await raw.CopyToAsync(copy);
                Assert.Equal(originals[i], copy.ToArray());
            }
            var headers = await client.GetMessageHeadersAsync(0);
            Assert.Equal("Test message 0", headers["Subject"]);
            var messages = await client.GetMessagesAsync([2, 3]);
            Assert.Equal("<test-2@example.net>", "<" + messages[0].MessageId + ">");
            await client.DeleteMessagesAsync([0, 5]);
            await client.DisconnectAsync(true);
        }

        var after = await server.InboxAsync();
        Assert.Equal(stored.Where((_, i) => i is not (0 or 5)).Select(m => m.Uid), after.Select(m => m.Uid));
    }

    [Fact]
    public async Task Sasl_login_and_wrong_password()
    {
        await using var server = await Pop3TestServer.StartAsync();
        using var client = await ConnectAsync(server, implicitTls: true);
        client.AuthenticationMechanisms.Remove("PLAIN");
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(server.User, "wrong"));
        await client.AuthenticateAsync(server.User, Pop3TestServer.Password);
        Assert.Equal(0, client.Count);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Second_session_is_refused_in_use()
    {
        await using var server = await Pop3TestServer.StartAsync();
        using var first = await ConnectAsync(server, implicitTls: true);
        await first.AuthenticateAsync(server.User, Pop3TestServer.Password);
        using var second = await ConnectAsync(server, implicitTls: true);
        // MailKit reports -ERR [IN-USE] as a failed authentication; the raw transcript test checks the code.
        await Assert.ThrowsAsync<AuthenticationException>(() => second.AuthenticateAsync(server.User, Pop3TestServer.Password));
        Assert.Equal(0, first.Count);
        await first.DisconnectAsync(true);
        using var third = await ConnectAsync(server, implicitTls: true);
        await third.AuthenticateAsync(server.User, Pop3TestServer.Password);
    }

    [Fact]
    public async Task One_wrong_password_tried_by_every_mechanism_counts_once()
    {
        // Default limit (3): MailKit tries AUTH PLAIN, AUTH LOGIN and USER/PASS with the same typo.
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        using var client = await ConnectAsync(server, implicitTls: true);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(server.User, "wrong password"));
        Assert.True(client.IsConnected);
        await client.AuthenticateAsync(server.User, Pop3TestServer.Password);
        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Three_different_wrong_passwords_disconnect_the_client()
    {
        await using var server = await Pop3TestServer.StartAsync(o => o.Auth.MaxFailedLogins = 3);
        using var client = await ConnectAsync(server, implicitTls: true);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(server.User, "wrong 1"));
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(server.User, "wrong 2"));
        await Assert.ThrowsAnyAsync<Exception>(() => client.AuthenticateAsync(server.User, "wrong 3"));
        await Assert.ThrowsAnyAsync<Exception>(() => client.AuthenticateAsync(server.User, Pop3TestServer.Password));
        Assert.False(client.IsAuthenticated);
    }
}
