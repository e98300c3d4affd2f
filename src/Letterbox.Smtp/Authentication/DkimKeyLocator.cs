using System.Collections.Concurrent;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Letterbox.Smtp.Authentication;

/// <summary>Why a DKIM public key could not be had: <see cref="Temporary"/> for DNS errors (temperror), else no usable key (permerror).</summary>
public sealed class DkimKeyException(bool temporary, string message) : Exception(message)
{
    public bool Temporary { get; } = temporary;
}

/// <summary>
/// Finds DKIM (and ARC) public keys in DNS for MimeKit's verifiers: the TXT record at
/// "selector._domainkey.domain" (RFC 6376 §3.6.2), parsed by MimeKit (rsa and ed25519, RFC 8463).
/// One instance serves one message, so a key used by DKIM and ARC is asked for once.
/// </summary>
public sealed class DkimKeyLocator(IAuthenticationDns dns) : DkimPublicKeyLocatorBase
{
    private readonly ConcurrentDictionary<string, AsymmetricKeyParameter> _keys = new(StringComparer.OrdinalIgnoreCase);

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(selector);
        // RFC 6376 §3.5 "q=": "dns/txt" is the only method defined.
        if (!methods.Split(':').Any(m => m.Trim().StartsWith("dns/txt", StringComparison.OrdinalIgnoreCase)))
        {
            throw new DkimKeyException(false, "unsupported key query method");
        }
        var name = selector + "._domainkey." + domain;
        if (_keys.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var txt = await dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (txt.Status == DnsStatus.TempError)
        {
            throw new DkimKeyException(true, "DNS error looking up the key");
        }
        if (txt.Status == DnsStatus.NotFound)
        {
            // RFC 6376 §6.1.2 step 3: no key record is a permanent failure.
            throw new DkimKeyException(false, "no key for signature");
        }
        AsymmetricKeyParameter key;
        try
        {
            key = GetPublicKey(txt.Records[0]);
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Includes a revoked key (empty p=, §3.6.1).
            throw new DkimKeyException(false, "unusable key record");
        }
        _keys[name] = key;
        return key;
    }

    /// <summary>Letterbox calls the verifiers' async methods only; the synchronous path waits on the same lookup.</summary>
    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        => LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();
}
