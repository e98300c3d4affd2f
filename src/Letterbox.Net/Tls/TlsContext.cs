using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Letterbox.Net;

/// <summary>
/// The server certificate and the TLS settings every listener uses: TLS 1.2 as the floor,
/// TLS 1.3 offered (RFC 8314 §4.1), no client certificates.
/// </summary>
public sealed class TlsContext
{
    public TlsContext(X509Certificate2 certificate, X509Certificate2Collection chain, string source)
    {
        Certificate = certificate;
        Source = source;
        ServerOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // RFC 7525: prefer the server's order of cipher suites.
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        };
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Where the certificate came from: a PEM path, or "self-signed (data/tls/...)".</summary>
    public string Source { get; }

    public SslServerAuthenticationOptions ServerOptions { get; }

    /// <summary>SHA-256 of the DER certificate, as AA:BB:... (what clients show when asking to trust it).</summary>
    public string Sha256Fingerprint => Fingerprint(Certificate);

    public static string Fingerprint(X509Certificate2 certificate)
        => Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
}
