using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Letterbox.Core;

namespace Letterbox.Net;

/// <summary>
/// Loads the server certificate from PEM files, or keeps a self-signed one for the host name in
/// the data directory (generated on first start, renewed when expired or when the host name changes).
/// </summary>
public static class CertificateStore
{
    public const string SelfSignedCertificateFile = "selfsigned.crt";
    public const string SelfSignedKeyFile = "selfsigned.key";

    /// <summary>Loads a PEM certificate (with its chain) and key. Errors name the file and the problem.</summary>
    public static TlsContext LoadPem(string certificatePath, string? keyPath)
    {
        if (!File.Exists(certificatePath))
        {
            throw new CertificateException($"certificate file {certificatePath} does not exist");
        }
        keyPath = string.IsNullOrEmpty(keyPath) ? certificatePath : keyPath;
        if (!File.Exists(keyPath))
        {
            throw new CertificateException($"key file {keyPath} does not exist");
        }
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException e)
        {
            throw new CertificateException($"cannot load {certificatePath} with key {keyPath}: {e.Message}");
        }
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
        {
            if (c.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(c);
            }
        }
        return new TlsContext(leaf, intermediates, certificatePath);
    }

    /// <summary>
    /// Returns the self-signed certificate kept in <paramref name="tlsDirectory"/>, generating a new
    /// one when none exists, it expires within 30 days, or it does not cover <paramref name="hostName"/>.
    /// </summary>
    public static TlsContext LoadOrCreateSelfSigned(string tlsDirectory, string hostName, IEnumerable<string> extraNames, TimeProvider time)
    {
        Directory.CreateDirectory(tlsDirectory);
        var certPath = Path.Combine(tlsDirectory, SelfSignedCertificateFile);
        var keyPath = Path.Combine(tlsDirectory, SelfSignedKeyFile);
        var names = new[] { hostName }.Concat(extraNames).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            var now = time.GetUtcNow();
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(30) && names.All(n => Covers(existing, n)))
            {
                return new TlsContext(existing, [], $"self-signed ({certPath})");
            }
        }
        var created = CreateSelfSigned(names, time.GetUtcNow());
        PrivateFile.WriteAllText(keyPath, created.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(certPath, created.ExportCertificatePem() + "\n");
        return new TlsContext(X509Certificate2.CreateFromPemFile(certPath, keyPath), [], $"self-signed ({certPath})");
    }

    /// <summary>True when the certificate's subject alternative names cover the host name (RFC 6125 wildcard rules, left-most label only).</summary>
    public static bool Covers(X509Certificate2 certificate, string hostName) => certificate.MatchesHostname(hostName, allowWildcards: true, allowCommonName: false);

    private static X509Certificate2 CreateSelfSigned(IReadOnlyList<string> names, DateTimeOffset now)
    {
        // RSA 2048 rather than ECDSA: every mail client, old Outlook and embedded ones included, accepts it.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(825));
    }
}

/// <summary>A certificate problem the admin must fix; the message says which file and why.</summary>
public sealed class CertificateException(string message) : Exception(message);
