using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Letterbox.Discovery.Probing;

/// <summary>What a server's certificate says and what is wrong with it, in words a person can act on.</summary>
public sealed record CertificateReport(string Subject, string Issuer, IReadOnlyList<string> Names, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Sha256Fingerprint, IReadOnlyList<string> Problems)
{
    /// <summary>True when the certificate chains to a trusted root, is in date and names the host.</summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Certificate validation that reports instead of hiding: the usual chain, date and name rules,
/// plus optional extra trusted roots (never "accept anything").
/// </summary>
public static class CertificateCheck
{
    /// <summary>Validates <paramref name="certificate"/> for <paramref name="host"/>.</summary>
    public static CertificateReport Check(X509Certificate2 certificate, X509Chain? presentedChain, SslPolicyErrors errors, string host, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var names = NamesOf(certificate);
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || !Net.CertificateStore.Covers(certificate, host))
        {
            problems.Add($"certificate is for {(names.Count > 0 ? string.Join(", ", names) : certificate.Subject)}, not {host}");
        }
        var now = options.Time.GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            problems.Add($"certificate expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
        }
        else if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            problems.Add($"certificate is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (check the server clock)");
        }
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && !ChainsToExtraRoot(certificate, presentedChain, options))
        {
            var status = presentedChain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NotTimeValid).Select(s => s.Status.ToString()).Distinct().ToArray() ?? [];
            if (status.Length > 0 || presentedChain is null)
            {
                problems.Add($"certificate is not trusted (issuer {certificate.Issuer}{(status.Length > 0 ? "; " + string.Join(", ", status) : "")}): a self-signed or private-CA certificate, or a missing intermediate");
            }
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            problems.Add("server sent no certificate");
        }
        return new CertificateReport(certificate.Subject, certificate.Issuer, names,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            Sha256(certificate), problems);
    }

    /// <summary>The SHA-256 fingerprint as colon-separated upper-case hex (as openssl prints it).</summary>
    public static string Sha256(X509Certificate2 certificate) =>
        string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>DNS names in the subject alternative name extension (or the CN when there is none).</summary>
    public static IReadOnlyList<string> NamesOf(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        if (names.Count == 0)
        {
            var cn = certificate.GetNameInfo(X509NameType.DnsName, false);
            if (!string.IsNullOrEmpty(cn))
            {
                names.Add(cn);
            }
        }
        return names;
    }

    private static bool ChainsToExtraRoot(X509Certificate2 certificate, X509Chain? presented, ProbeOptions options)
    {
        if (options.ExtraTrustedRoots.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(options.ExtraTrustedRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Dates are judged separately (with the configured clock) so an expired certificate says so.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(certificate);
    }
}
