using System.Net;
using System.Net.Sockets;
using Letterbox.Core.Spf;

namespace Letterbox.Smtp.Authentication;

/// <summary>SPF results (RFC 7208 §2.6), also the Authentication-Results values (RFC 8601 §2.7.2).</summary>
public enum SpfResult
{
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

/// <summary>An SPF result with a short reason (for the Authentication-Results comment) and, on fail, the domain's explanation (§6.2).</summary>
public sealed record SpfOutcome(SpfResult Result, string Reason, string? Explanation = null);

/// <summary>
/// RFC 7208 check_host(): fetches the domain's SPF record and evaluates its mechanisms against the
/// client's address, with the limits of §4.6.4 — 10 DNS-querying terms, 2 void lookups, 10 MX and
/// 10 PTR names — all counted across include and redirect. DNS comes through <see cref="IAuthenticationDns"/>.
/// </summary>
public sealed class SpfEvaluator(IAuthenticationDns dns, string receiverHost = "unknown", TimeProvider? time = null)
{
    /// <summary>Terms that query DNS (include, a, mx, ptr, exists, redirect) allowed per check (§4.6.4).</summary>
    public const int MaxLookups = 10;
    /// <summary>Lookups answering NXDOMAIN or no records allowed per check (§4.6.4).</summary>
    public const int MaxVoidLookups = 2;
    /// <summary>MX names one "mx" may look up (§4.6.4).</summary>
    public const int MaxMxNames = 10;
    /// <summary>PTR names considered by "ptr" and %{p} (§4.6.4, §5.5).</summary>
    public const int MaxPtrNames = 10;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Checks <paramref name="sender"/> (MAIL FROM, or postmaster@HELO for the null sender, §2.4) sent
    /// from <paramref name="ip"/> against the SPF record of <paramref name="domain"/>.
    /// </summary>
    public Task<SpfOutcome> CheckHostAsync(IPAddress ip, string domain, string sender, string helo, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(sender);
        // §4.3: an empty local part is "postmaster".
        var at = sender.LastIndexOf('@');
        var fullSender = at < 0 ? "postmaster@" + sender : at == 0 ? "postmaster" + sender : sender;
        // §5: an IPv4-mapped IPv6 address is evaluated as IPv4.
        var address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
        return CheckAsync(new Evaluation(address, fullSender, helo ?? ""), domain.TrimEnd('.'), ct);
    }

    private sealed class Evaluation(IPAddress ip, string sender, string helo)
    {
        public IPAddress Ip { get; } = ip;
        public string Sender { get; } = sender;
        public string Helo { get; } = helo;
        public int Lookups { get; set; }
        public int Voids { get; set; }
        public string? ValidatedName { get; set; }
        public AddressFamily Family => Ip.AddressFamily;
    }

    /// <summary>What evaluating one mechanism gave: a match, no match, or an error that ends check_host.</summary>
    private readonly record struct Match(bool Matched, SpfOutcome? Error)
    {
        public static Match Yes => new(true, null);
        public static Match No => new(false, null);
        public static Match Stop(SpfResult result, string reason) => new(false, new SpfOutcome(result, reason));
    }

    private async Task<SpfOutcome> CheckAsync(Evaluation e, string domain, CancellationToken ct)
    {
        // §4.3: a malformed or single-label domain gives "none".
        if (!IsValidDomain(domain))
        {
            return new SpfOutcome(SpfResult.None, $"{domain} is not a valid domain");
        }
        var txt = await dns.TxtAsync(domain, ct).ConfigureAwait(false);
        if (txt.Status == DnsStatus.TempError)
        {
            return new SpfOutcome(SpfResult.TempError, $"DNS error looking up {domain}");
        }
        // §4.5: exactly one record starting "v=spf1".
        var records = txt.Records.Where(SpfRecord.IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            return new SpfOutcome(SpfResult.None, $"{domain} has no SPF record");
        }
        if (records.Count > 1)
        {
            return new SpfOutcome(SpfResult.PermError, $"{domain} has more than one SPF record");
        }
        var (record, error) = SpfRecord.Parse(records[0]);
        if (record is null)
        {
            return new SpfOutcome(SpfResult.PermError, $"{domain}: {error}");
        }
        foreach (var mechanism in record.Mechanisms)
        {
            if (mechanism.CountsAsLookup && ++e.Lookups > MaxLookups)
            {
                return new SpfOutcome(SpfResult.PermError, "more than 10 DNS lookups");
            }
            var match = await MatchAsync(e, domain, mechanism, ct).ConfigureAwait(false);
            if (match.Error is { } stop)
            {
                return stop;
            }
            if (!match.Matched)
            {
                continue;
            }
            var result = mechanism.Qualifier switch
            {
                SpfQualifier.Pass => SpfResult.Pass,
                SpfQualifier.Fail => SpfResult.Fail,
                SpfQualifier.SoftFail => SpfResult.SoftFail,
                _ => SpfResult.Neutral,
            };
            var reason = $"{e.Ip} {(result == SpfResult.Pass ? "is" : "is not")} designated by {domain}";
            var explanation = result == SpfResult.Fail && record.Explanation is { } exp ? await ExplainAsync(e, domain, exp, ct).ConfigureAwait(false) : null;
            return new SpfOutcome(result, reason, explanation);
        }
        if (record.Redirect is { } redirect)
        {
            // §6.1: used only when no mechanism matched; counts as a lookup; a target without a record is a permerror.
            if (++e.Lookups > MaxLookups)
            {
                return new SpfOutcome(SpfResult.PermError, "more than 10 DNS lookups");
            }
            if (await ExpandDomainAsync(e, domain, redirect, ct).ConfigureAwait(false) is not { } target)
            {
                return new SpfOutcome(SpfResult.PermError, "invalid macro in redirect");
            }
            var outcome = await CheckAsync(e, target, ct).ConfigureAwait(false);
            return outcome.Result == SpfResult.None
                ? new SpfOutcome(SpfResult.PermError, $"redirect target {target} has no SPF record")
                : outcome;
        }
        // §4.7: no match and no redirect.
        return new SpfOutcome(SpfResult.Neutral, $"no mechanism of {domain} matched");
    }

    private async Task<Match> MatchAsync(Evaluation e, string domain, SpfMechanism mechanism, CancellationToken ct)
    {
        switch (mechanism.Kind)
        {
            case SpfMechanismKind.All:
                return Match.Yes;
            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
            {
                var network = mechanism.Network!;
                if (network.AddressFamily != e.Family)
                {
                    return Match.No;
                }
                var prefix = e.Family == AddressFamily.InterNetwork ? mechanism.Ip4Prefix : mechanism.Ip6Prefix;
                return new IPNetwork(Mask(network, prefix), prefix).Contains(e.Ip) ? Match.Yes : Match.No;
            }
        }
        var target = mechanism.DomainSpec is null ? domain : await ExpandDomainAsync(e, domain, mechanism.DomainSpec, ct).ConfigureAwait(false);
        if (target is null)
        {
            return Match.Stop(SpfResult.PermError, $"invalid macro in {mechanism.Kind.ToString().ToLowerInvariant()}");
        }
        switch (mechanism.Kind)
        {
            case SpfMechanismKind.Include:
            {
                // §5.2: pass matches; fail, softfail and neutral do not; errors and "none" end the check.
                var inner = await CheckAsync(e, target, ct).ConfigureAwait(false);
                return inner.Result switch
                {
                    SpfResult.Pass => Match.Yes,
                    SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => Match.No,
                    SpfResult.TempError => new Match(false, inner),
                    SpfResult.PermError => new Match(false, inner),
                    _ => Match.Stop(SpfResult.PermError, $"included domain {target} has no SPF record"),
                };
            }
            case SpfMechanismKind.A:
            {
                var addresses = await dns.AddressesAsync(target, e.Family, ct).ConfigureAwait(false);
                return AddressMatch(e, addresses, mechanism, target);
            }
            case SpfMechanismKind.Mx:
            {
                var mx = await dns.MxAsync(target, ct).ConfigureAwait(false);
                if (mx.Status != DnsStatus.Found)
                {
                    return Void(e, mx.Status, target);
                }
                if (mx.Records.Count > MaxMxNames)
                {
                    return Match.Stop(SpfResult.PermError, $"{target} has more than 10 MX records");
                }
                foreach (var exchange in mx.Records)
                {
                    var addresses = await dns.AddressesAsync(exchange, e.Family, ct).ConfigureAwait(false);
                    if (addresses.Status == DnsStatus.TempError)
                    {
                        return Match.Stop(SpfResult.TempError, $"DNS error looking up {exchange}");
                    }
                    if (addresses.Records.Any(a => InPrefix(e, a, mechanism)))
                    {
                        return Match.Yes;
                    }
                }
                return Match.No;
            }
            case SpfMechanismKind.Ptr:
            {
                var names = await ValidatedNamesAsync(e, ct).ConfigureAwait(false);
                if (names is null)
                {
                    return Void(e, DnsStatus.NotFound, "PTR");
                }
                return names.Any(n => IsSameOrSubdomain(n, target)) ? Match.Yes : Match.No;
            }
            case SpfMechanismKind.Exists:
            {
                // §5.7: always an A query, whatever the client's family.
                var addresses = await dns.AddressesAsync(target, AddressFamily.InterNetwork, ct).ConfigureAwait(false);
                return addresses.Status == DnsStatus.Found ? Match.Yes : Void(e, addresses.Status, target);
            }
            default:
                return Match.Stop(SpfResult.PermError, "unknown mechanism");
        }
    }

    private static Match AddressMatch(Evaluation e, DnsAnswer<IPAddress> addresses, SpfMechanism mechanism, string target)
    {
        if (addresses.Status != DnsStatus.Found)
        {
            return Void(e, addresses.Status, target);
        }
        return addresses.Records.Any(a => InPrefix(e, a, mechanism)) ? Match.Yes : Match.No;
    }

    /// <summary>A lookup that found nothing: a void lookup (§4.6.4), or temperror for a DNS error (§5).</summary>
    private static Match Void(Evaluation e, DnsStatus status, string target)
    {
        if (status == DnsStatus.TempError)
        {
            return Match.Stop(SpfResult.TempError, $"DNS error looking up {target}");
        }
        return ++e.Voids > MaxVoidLookups ? Match.Stop(SpfResult.PermError, "more than 2 void DNS lookups") : Match.No;
    }

    private static bool InPrefix(Evaluation e, IPAddress candidate, SpfMechanism mechanism)
    {
        if (candidate.AddressFamily != e.Family)
        {
            return false;
        }
        var prefix = e.Family == AddressFamily.InterNetwork ? mechanism.Ip4Prefix : mechanism.Ip6Prefix;
        return new IPNetwork(Mask(candidate, prefix), prefix).Contains(e.Ip);
    }

    /// <summary>The network address of <paramref name="address"/>/<paramref name="prefix"/> (IPNetwork wants the host bits clear).</summary>
    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    /// <summary>
    /// §5.5: the client's PTR names (at most 10) whose forward lookup gives the client's address back.
    /// Null when the PTR lookup found nothing or failed (the mechanism then does not match).
    /// </summary>
    private async Task<List<string>?> ValidatedNamesAsync(Evaluation e, CancellationToken ct)
    {
        var ptr = await dns.PtrAsync(e.Ip, ct).ConfigureAwait(false);
        if (ptr.Status != DnsStatus.Found)
        {
            return null;
        }
        var validated = new List<string>();
        foreach (var name in ptr.Records.Take(MaxPtrNames))
        {
            var forward = await dns.AddressesAsync(name, e.Family, ct).ConfigureAwait(false);
            // A DNS error skips the name and the search goes on (§5.5).
            if (forward.Records.Contains(e.Ip))
            {
                validated.Add(name);
            }
        }
        return validated;
    }

    private async Task<string?> ExpandDomainAsync(Evaluation e, string domain, string spec, CancellationToken ct)
    {
        var context = await ContextAsync(e, domain, spec, ct).ConfigureAwait(false);
        return SpfMacro.Expand(spec, context, explanation: false) is { } expanded ? SpfMacro.TruncateDomain(expanded) : null;
    }

    private async Task<SpfMacroContext> ContextAsync(Evaluation e, string domain, string text, CancellationToken ct)
    {
        if (SpfMacro.UsesValidatedName(text) && e.ValidatedName is null)
        {
            // §7.3 "p": a validated name in the domain if there is one, else any validated name, else "unknown".
            var names = await ValidatedNamesAsync(e, ct).ConfigureAwait(false) ?? [];
            e.ValidatedName = names.FirstOrDefault(n => IsSameOrSubdomain(n, domain)) ?? names.FirstOrDefault() ?? "unknown";
        }
        return new SpfMacroContext(e.Sender, domain, e.Ip, e.Helo)
        {
            ValidatedName = e.ValidatedName ?? "unknown",
            ReceiverHost = receiverHost,
            Now = _time.GetUtcNow(),
        };
    }

    /// <summary>§6.2: the exp= TXT record, macro-expanded; any trouble means no explanation (not an error).</summary>
    private async Task<string?> ExplainAsync(Evaluation e, string domain, string spec, CancellationToken ct)
    {
        if (await ExpandDomainAsync(e, domain, spec, ct).ConfigureAwait(false) is not { } target)
        {
            return null;
        }
        var txt = await dns.TxtAsync(target, ct).ConfigureAwait(false);
        if (txt.Records.Count != 1)
        {
            return null;
        }
        var context = await ContextAsync(e, domain, txt.Records[0], ct).ConfigureAwait(false);
        return SpfMacro.Expand(txt.Records[0], context, explanation: true);
    }

    private static bool IsSameOrSubdomain(string name, string domain)
    {
        var n = name.TrimEnd('.');
        var d = domain.TrimEnd('.');
        return n.Equals(d, StringComparison.OrdinalIgnoreCase) || n.EndsWith("." + d, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>§4.3: labels of 1-63 octets, at least two of them, 253 octets in all.</summary>
    public static bool IsValidDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = domain.TrimEnd('.');
        if (name.Length == 0 || name.Length > SpfMacro.MaxDomainLength)
        {
            return false;
        }
        var labels = name.Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63);
    }
}
