using System.Text;
using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Net.Dns;
using Letterbox.Smtp.Authentication;
using Letterbox.Smtp.Delivery;
using Letterbox.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Letterbox.Smtp;

/// <summary>Which dialect a listener speaks.</summary>
public enum SmtpMode
{
    /// <summary>RFC 5321 SMTP as the domain's MX: HELO/EHLO, one reply after DATA, no relaying.</summary>
    Smtp = 1,
    /// <summary>RFC 2033 LMTP behind an MTA: LHLO, one reply per recipient after DATA.</summary>
    Lmtp = 2,
}

/// <summary>What an <see cref="SmtpServer"/> needs: the store, the configuration and the host name it announces.</summary>
public sealed class SmtpServerOptions
{
    public required IMailStore Store { get; init; }
    public required LetterboxOptions Options { get; init; }
    /// <summary>The configured host name, used in the greeting, the EHLO reply and the Received header.</summary>
    public required string HostName { get; init; }
    public required SmtpMode Mode { get; init; }
    public ILoggerFactory? LoggerFactory { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The SMTP (RFC 5321) or LMTP (RFC 2033) receiver: one <see cref="SmtpSession"/> per connection,
/// all of them delivering through one <see cref="DeliveryPipeline"/>.
/// </summary>
public sealed class SmtpServer : IConnectionHandler, IConnectionRefusal
{
    private readonly SmtpServerOptions _options;
    private readonly ILogger _log;
    private readonly DeliveryPipeline _delivery;

    public SmtpServer(SmtpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger(options.Mode == SmtpMode.Lmtp ? "Letterbox.Lmtp" : "Letterbox.Smtp");
        _delivery = new DeliveryPipeline(options.Store, options.LoggerFactory, CreateAuthenticator(options));
        TooManyConnections = Encoding.ASCII.GetBytes($"421 4.7.0 {options.HostName} Too many connections, try again later\r\n");
    }

    /// <summary>The sender checks for this listener's mode, or null when they are off (LMTP by default).</summary>
    private static MessageAuthenticator? CreateAuthenticator(SmtpServerOptions options)
    {
        var smtp = options.Options.Smtp;
        if (!(options.Mode == SmtpMode.Lmtp ? smtp.LmtpAuthenticationChecks : smtp.AuthenticationChecks))
        {
            return null;
        }
        var policy = new AuthenticationPolicy(smtp.RejectDmarcFailures, smtp.DeferOnDnsErrors, TimeSpan.FromSeconds(Math.Max(1, smtp.AuthenticationTimeoutSeconds)));
        return new MessageAuthenticator(new LookupClientDns(DnsLookup.Create(options.Options.Dns)), options.HostName, policy);
    }

    /// <summary>RFC 5321 §3.8: 421 closes the connection; the sender retries later.</summary>
    public ReadOnlyMemory<byte> TooManyConnections { get; }

    public async Task HandleAsync(ClientConnection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new SmtpSession(connection, _options, _delivery, _log);
        await session.RunAsync(stopping).ConfigureAwait(false);
    }
}
