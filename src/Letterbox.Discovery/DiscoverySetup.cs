using System.Security.Cryptography.X509Certificates;
using Letterbox.Core.Options;
using Letterbox.Discovery.Probing;

namespace Letterbox.Discovery;

/// <summary>Turns configuration (<see cref="LetterboxOptions.Discover"/>) into <see cref="DiscoveryOptions"/>.</summary>
public static class DiscoverySetup
{
    /// <summary>Discovery options from configuration; <paramref name="offline"/> and <paramref name="ispdbUrl"/> override it.</summary>
    public static DiscoveryOptions FromConfiguration(DiscoverOptions configured, bool offline = false, string? ispdbUrl = null)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var roots = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(configured.ExtraTrustedCaFile))
        {
            roots.ImportFromPemFile(configured.ExtraTrustedCaFile);
        }
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1, configured.ProbeTimeoutMs));
        return new DiscoveryOptions
        {
            IspdbUrl = ispdbUrl ?? configured.IspdbUrl,
            Offline = offline,
            HttpTimeout = timeout,
            Probe = new ProbeOptions
            {
                ConnectTimeout = timeout,
                ReplyTimeout = timeout,
                MaxTries = configured.MaxTries,
                RetryBaseDelay = TimeSpan.FromMilliseconds(Math.Max(0, configured.RetryBaseDelayMs)),
                ExtraTrustedRoots = roots,
            },
        };
    }
}
