using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Letterbox.Discovery.Probing;

/// <summary>
/// Connects to one mail server the way a client would, without ever sending a password: TCP,
/// TLS (implicit or STARTTLS), greeting, capabilities. Tells TLS from plaintext by the first bytes
/// (a TLS record starts 0x15/0x16; a mail greeting is ASCII), retries transient failures with
/// exponential back-off, and reports certificate problems rather than hiding them.
/// </summary>
public sealed class MailServerProbe(HostResolver resolver, ProbeOptions options)
{
    /// <summary>The options in force.</summary>
    public ProbeOptions Options { get; } = options;

    /// <summary>Probes <paramref name="host"/>:<paramref name="port"/> with <paramref name="security"/>.</summary>
    public async Task<ProbeResult> ProbeAsync(MailProtocol protocol, string host, int port, SocketSecurity security, CancellationToken ct = default)
    {
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, ct).ConfigureAwait(false);
        }
        catch (DnsClient.DnsResponseException e)
        {
            return new ProbeResult(protocol, host, port, security, ProbeOutcome.NotResolved) { Advice = $"{host} could not be looked up ({e.Message}): check the name and the DNS." };
        }
        if (addresses.Count == 0)
        {
            return new ProbeResult(protocol, host, port, security, ProbeOutcome.NotResolved) { Advice = $"{host} has no A or AAAA record: check the spelling of the server name." };
        }
        ProbeResult result = new(protocol, host, port, security, ProbeOutcome.TimedOut);
        for (var attempt = 1; attempt <= Options.Tries; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(Options.BackOff(attempt), Options.Time, ct).ConfigureAwait(false);
            }
            result = await TryOnceAsync(protocol, host, addresses, port, security, ct).ConfigureAwait(false) with { Attempts = attempt };
            if (result.Outcome is not (ProbeOutcome.TimedOut or ProbeOutcome.ConnectionLost))
            {
                return result;
            }
        }
        return result;
    }

    private async Task<ProbeResult> TryOnceAsync(MailProtocol protocol, string host, IReadOnlyList<IPAddress> addresses, int port, SocketSecurity security, CancellationToken ct)
    {
        var basis = new ProbeResult(protocol, host, port, security, ProbeOutcome.Ok);
        Socket socket;
        try
        {
            socket = await HostResolver.ConnectAsync(addresses, port, Options.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return basis with { Outcome = ProbeOutcome.Refused, Advice = ProbeAdvice.Refused(protocol, host, port) };
        }
        catch (SocketException e)
        {
            return basis with { Outcome = ProbeOutcome.TimedOut, Advice = $"no answer from {host}:{port} ({e.SocketErrorCode}): a firewall may drop the port, or the host is down." };
        }
        try
        {
            basis = basis with { Address = ((IPEndPoint)socket.RemoteEndPoint!).Address.ToString() };
        }
        catch (SocketException e)
        {
            // Reset between the accept and this line (ENOTCONN): the same as a reset in the
            // greeting, a connection lost — transient, so it is tried again.
            socket.Dispose();
            return basis with { Outcome = ProbeOutcome.ConnectionLost, Advice = $"{host}:{port} closed the connection ({e.SocketErrorCode})." };
        }
        await using var network = new NetworkStream(socket, ownsSocket: true);
        var conversation = new ServerConversation(network, Options);
        try
        {
            return security == SocketSecurity.Ssl
                ? await ImplicitTlsAsync(basis, conversation, ct).ConfigureAwait(false)
                : await PlaintextFirstAsync(basis, conversation, addresses, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return basis with { Outcome = ProbeOutcome.TimedOut, Advice = $"{host}:{port} accepted the connection but did not answer in {Options.ReplyTimeout.TotalSeconds:0.###} s." };
        }
        catch (IOException e)
        {
            return basis with { Outcome = ProbeOutcome.ConnectionLost, Advice = $"{host}:{port} closed the connection ({e.Message})." };
        }
        catch (InvalidDataException e)
        {
            return basis with { Outcome = ProbeOutcome.BadGreeting, Advice = $"{host}:{port} sent something that is not {ProbeAdvice.Name(protocol)}: {e.Message}" };
        }
    }

    private async Task<ProbeResult> ImplicitTlsAsync(ProbeResult basis, ServerConversation conversation, CancellationToken ct)
    {
        var recorder = new FirstBytesStream(conversation.Stream);
        var (tls, certificate, failure) = await HandshakeAsync(recorder, basis.Host, ct).ConfigureAwait(false);
        if (tls is null)
        {
            if (ProbeAdvice.LooksLikeText(recorder.FirstBytes))
            {
                return basis with
                {
                    Outcome = ProbeOutcome.SpeaksPlaintext,
                    Greeting = ProbeAdvice.Printable(recorder.FirstBytes),
                    Advice = $"port {basis.Port} greets in plaintext (no TLS at once): choose STARTTLS, not SSL/TLS — or use port {SocketSecurityNames.StandardPort(basis.Protocol, SocketSecurity.Ssl)} with SSL/TLS.",
                };
            }
            return Failed(basis, certificate, failure);
        }
        conversation.Replace(tls);
        basis = basis with { Certificate = certificate, TlsProtocol = tls.SslProtocol.ToString() };
        var greeting = await conversation.ReadLineAsync(ct).ConfigureAwait(false);
        return await AfterGreetingAsync(basis, conversation, greeting, afterTls: true, ct).ConfigureAwait(false);
    }

    private async Task<ProbeResult> PlaintextFirstAsync(ProbeResult basis, ServerConversation conversation, IReadOnlyList<IPAddress> addresses, CancellationToken ct)
    {
        string? greeting;
        try
        {
            greeting = await conversation.ReadLineAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Silence: an implicit-TLS port waits for our ClientHello. Ask it in a second connection.
            if (await SpeaksTlsAsync(basis, addresses, ct).ConfigureAwait(false))
            {
                return basis with { Outcome = ProbeOutcome.SpeaksTlsAtOnce, Advice = ProbeAdvice.SpeaksTls(basis.Protocol, basis.Port) };
            }
            throw;
        }
        if (conversation.FirstBytes.Length > 0 && conversation.FirstBytes[0] is 0x15 or 0x16)
        {
            return basis with { Outcome = ProbeOutcome.SpeaksTlsAtOnce, Advice = ProbeAdvice.SpeaksTls(basis.Protocol, basis.Port) };
        }
        var checkedGreeting = await AfterGreetingAsync(basis, conversation, greeting, afterTls: false, ct).ConfigureAwait(false);
        if (!checkedGreeting.Succeeded)
        {
            return checkedGreeting;
        }
        var offersTls = ProbeAdvice.OffersStartTls(basis.Protocol, checkedGreeting.Capabilities);
        if (!offersTls)
        {
            return checkedGreeting with
            {
                Outcome = ProbeOutcome.NoTlsOffered,
                Advice = $"{basis.Host}:{basis.Port} offers no {(basis.Protocol == MailProtocol.Pop3 ? "STLS" : "STARTTLS")}: the password would travel unencrypted. Use port {SocketSecurityNames.StandardPort(basis.Protocol, SocketSecurity.Ssl)} with SSL/TLS if the server has it, or ask the administrator to enable TLS.",
            };
        }
        if (basis.Security == SocketSecurity.None)
        {
            return checkedGreeting with { Advice = $"the server offers {(basis.Protocol == MailProtocol.Pop3 ? "STLS" : "STARTTLS")}: choose STARTTLS rather than no security." };
        }
        var command = basis.Protocol switch
        {
            MailProtocol.Imap => "a2 STARTTLS",
            MailProtocol.Pop3 => "STLS",
            _ => "STARTTLS",
        };
        await conversation.WriteLineAsync(command, ct).ConfigureAwait(false);
        var reply = await conversation.ReadReplyAsync(line => basis.Protocol != MailProtocol.Imap || line.StartsWith("a2 ", StringComparison.Ordinal), ct).ConfigureAwait(false);
        var last = reply?[^1] ?? "";
        var accepted = basis.Protocol switch
        {
            MailProtocol.Imap => last.StartsWith("a2 OK", StringComparison.OrdinalIgnoreCase),
            MailProtocol.Pop3 => last.StartsWith("+OK", StringComparison.Ordinal),
            _ => last.StartsWith("220", StringComparison.Ordinal),
        };
        if (!accepted)
        {
            return checkedGreeting with { Outcome = ProbeOutcome.TlsFailed, Advice = $"the server advertised {command.Split(' ')[^1]} but refused it: \"{last}\". Ask the administrator to fix the TLS set-up." };
        }
        var (tls, certificate, failure) = await HandshakeAsync(conversation.Stream, basis.Host, ct).ConfigureAwait(false);
        if (tls is null)
        {
            return Failed(checkedGreeting, certificate, failure);
        }
        conversation.Replace(tls);
        var secured = checkedGreeting with { Certificate = certificate, TlsProtocol = tls.SslProtocol.ToString() };
        var capabilities = await CapabilitiesAsync(basis.Protocol, conversation, ct).ConfigureAwait(false);
        return secured with { Capabilities = capabilities, AuthMechanisms = ProbeAdvice.Mechanisms(basis.Protocol, capabilities) };
    }

    private async Task<ProbeResult> AfterGreetingAsync(ProbeResult basis, ServerConversation conversation, string? greeting, bool afterTls, CancellationToken ct)
    {
        if (greeting is null)
        {
            return basis with { Outcome = ProbeOutcome.ConnectionLost, Advice = $"{basis.Host}:{basis.Port} closed the connection without a greeting." };
        }
        basis = basis with { Greeting = greeting };
        if (!ProbeAdvice.IsGoodGreeting(basis.Protocol, greeting))
        {
            return basis with { Outcome = ProbeOutcome.BadGreeting, Advice = ProbeAdvice.BadGreeting(basis.Protocol, basis.Host, basis.Port, greeting) };
        }
        var capabilities = await CapabilitiesAsync(basis.Protocol, conversation, ct).ConfigureAwait(false);
        return basis with { Capabilities = capabilities, AuthMechanisms = afterTls ? ProbeAdvice.Mechanisms(basis.Protocol, capabilities) : [] };
    }

    private static async Task<IReadOnlyList<string>> CapabilitiesAsync(MailProtocol protocol, ServerConversation conversation, CancellationToken ct)
    {
        switch (protocol)
        {
            case MailProtocol.Imap:
            {
                // RFC 9051 §6.1.1
                await conversation.WriteLineAsync("a1 CAPABILITY", ct).ConfigureAwait(false);
                var lines = await conversation.ReadReplyAsync(l => l.StartsWith("a1 ", StringComparison.Ordinal), ct).ConfigureAwait(false) ?? [];
                return lines.Where(l => l.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(l => l["* CAPABILITY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            }
            case MailProtocol.Pop3:
            {
                // RFC 2449 §5: a multi-line reply ended by "."; -ERR when CAPA is unknown.
                await conversation.WriteLineAsync("CAPA", ct).ConfigureAwait(false);
                var first = await conversation.ReadLineAsync(ct).ConfigureAwait(false);
                if (first is null || !first.StartsWith("+OK", StringComparison.Ordinal))
                {
                    return [];
                }
                var lines = await conversation.ReadReplyAsync(l => l == ".", ct).ConfigureAwait(false) ?? [];
                return lines.Where(l => l != ".").ToArray();
            }
            default:
            {
                // RFC 5321 §4.1.1.1: EHLO with a domain; the reply lines after the first are extensions.
                await conversation.WriteLineAsync("EHLO discover.letterbox.invalid", ct).ConfigureAwait(false);
                var lines = await conversation.ReadReplyAsync(l => l.Length < 4 || l[3] != '-', ct).ConfigureAwait(false) ?? [];
                return lines.Skip(1).Where(l => l.StartsWith("250", StringComparison.Ordinal)).Select(l => l[4..]).ToArray();
            }
        }
    }

    private async Task<(SslStream? Tls, CertificateReport? Certificate, Exception? Failure)> HandshakeAsync(Stream inner, string host, CancellationToken ct)
    {
        CertificateReport? report = null;
        var tls = new SslStream(inner, leaveInnerStreamOpen: true, (_, certificate, chain, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }
            report = CertificateCheck.Check(certificate as X509Certificate2 ?? new X509Certificate2(certificate), chain, errors, host, Options);
            return report.IsValid;
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.ReplyTimeout);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                // RFC 8996 / DESIGN: TLS 1.2 is the floor.
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, timeout.Token).ConfigureAwait(false);
            return (tls, report, null);
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            return (null, report, e);
        }
        catch (IOException e) when (report is null)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            return (null, null, e);
        }
    }

    private static ProbeResult Failed(ProbeResult basis, CertificateReport? certificate, Exception? failure)
    {
        if (certificate is { IsValid: false })
        {
            return basis with { Outcome = ProbeOutcome.CertificateProblem, Certificate = certificate, Advice = ProbeAdvice.Certificate(basis.Host, certificate) };
        }
        if (failure is IOException && failure is not AuthenticationException)
        {
            return basis with { Outcome = ProbeOutcome.ConnectionLost, Advice = $"{basis.Host}:{basis.Port} closed the connection during the TLS handshake ({failure.Message})." };
        }
        return basis with { Outcome = ProbeOutcome.TlsFailed, Certificate = certificate, Advice = $"TLS handshake with {basis.Host}:{basis.Port} failed: {failure?.InnerException?.Message ?? failure?.Message}. The server may only offer TLS below 1.2 or no cipher in common." };
    }

    // Detection only: the first record the server sends back (handshake 0x16 or alert 0x15) proves
    // it speaks TLS, whether or not its certificate would pass; the connection is closed at once.
    private async Task<bool> SpeaksTlsAsync(ProbeResult basis, IReadOnlyList<IPAddress> addresses, CancellationToken ct)
    {
        try
        {
            using var socket = await HostResolver.ConnectAsync(addresses, basis.Port, Options.ConnectTimeout, ct).ConfigureAwait(false);
            await using var network = new NetworkStream(socket, ownsSocket: false);
            var recorder = new FirstBytesStream(network);
            await using var tls = new SslStream(recorder, leaveInnerStreamOpen: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.ReplyTimeout);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = basis.Host }, timeout.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
            {
                // A TLS alert (0x15) or handshake record (0x16) still proves the port speaks TLS.
                return recorder.FirstBytes.Length > 0 && recorder.FirstBytes[0] is 0x15 or 0x16;
            }
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
