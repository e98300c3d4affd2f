using System.Security.Authentication;

namespace Letterbox.Tests.Integration;

/// <summary>STARTTLS behaviour, the TLS floor and the plaintext-password policy, over real sockets.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Commands_pipelined_after_starttls_are_discarded_not_executed()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawImapClient.ConnectAsync(server.Imap);
        Assert.StartsWith("* OK", await client.ReadLineAsync());
        // The attacker's classic: STARTTLS and a plaintext command in one packet (RFC 3207 §4.2, CVE-2011-0411).
        await client.SendAsync("a STARTTLS\r\nb LOGIN injected injected\r\n");
        var reply = await client.ReadUntilTaggedAsync("a");
        Assert.StartsWith("a OK", reply[^1]);
        await client.StartTlsAsync(server.CertificatePath);
        await client.SendAsync("c NOOP\r\n");
        var after = await client.ReadUntilTaggedAsync("c");
        Assert.DoesNotContain(after, l => l.StartsWith("b ", StringComparison.Ordinal));
        Assert.StartsWith("c OK", after[^1]);
    }

    [Fact]
    public async Task Plaintext_login_off_loopback_policy_advertises_logindisabled_until_tls()
    {
        // Loopback allowance switched off: the server must behave as for a remote client.
        await using var server = await TestServer.StartAsync(o => o.Auth.AllowPlaintextOnLoopback = false);
        await using var client = await RawImapClient.ConnectAsync(server.Imap);
        await client.ReadLineAsync();
        await client.SendAsync("a CAPABILITY\r\n");
        var caps = string.Join("\n", await client.ReadUntilTaggedAsync("a"));
        Assert.Contains("LOGINDISABLED", caps, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", caps, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH=PLAIN", caps, StringComparison.Ordinal);
        await client.SendAsync($"b LOGIN {server.User} \"{TestServer.Password}\"\r\n");
        Assert.StartsWith("b NO", (await client.ReadUntilTaggedAsync("b"))[^1]);

        await client.SendAsync("c STARTTLS\r\n");
        await client.ReadUntilTaggedAsync("c");
        await client.StartTlsAsync(server.CertificatePath);
        await client.SendAsync("d CAPABILITY\r\n");
        var tlsCaps = string.Join("\n", await client.ReadUntilTaggedAsync("d"));
        Assert.DoesNotContain("LOGINDISABLED", tlsCaps, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", tlsCaps, StringComparison.Ordinal);
        Assert.Contains("AUTH=PLAIN", tlsCaps, StringComparison.Ordinal);
        await client.SendAsync($"e LOGIN {server.User} \"{TestServer.Password}\"\r\n");
        Assert.StartsWith("e OK", (await client.ReadUntilTaggedAsync("e"))[^1]);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls_12_and_13_are_accepted(SslProtocols protocol)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawImapClient.ConnectAsync(server.Imaps);
        var ssl = await client.StartTlsAsync(server.CertificatePath, protocol);
        Assert.Equal(protocol, ssl.SslProtocol);
        Assert.StartsWith("* OK", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Tls_11_is_refused_by_the_server()
    {
        await using var server = await TestServer.StartAsync();
        // openssl s_client speaks TLS 1.1 when asked; the server must refuse the handshake.
        var result = await ExternalProcess.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{server.ImapsPort}", "-tls1_1", "-brief"], standardInput: "");
        Assert.NotEqual(0, result.ExitCode);
        // And the server still serves TLS 1.2+ afterwards.
        await using var client = await RawImapClient.ConnectAsync(server.Imaps, implicitTls: true, server.CertificatePath);
        Assert.StartsWith("* OK", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Self_signed_certificate_covers_the_host_name_and_is_kept_across_restarts()
    {
        await using var server = await TestServer.StartAsync();
        Assert.True(Net.CertificateStore.Covers(server.Server.Tls.Certificate, "localhost"));
        var again = Net.CertificateStore.LoadOrCreateSelfSigned(Letterbox.Hosting.DataLayout.TlsDirectory(server.Data.Path), "localhost", ["127.0.0.1", "::1"], TimeProvider.System);
        Assert.Equal(server.Server.Tls.Sha256Fingerprint, again.Sha256Fingerprint);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", again.Sha256Fingerprint);
    }
}
