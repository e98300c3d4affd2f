using Letterbox.Core.Domains;

namespace Letterbox.Smtp.Authentication;

/// <summary>DMARC results (RFC 7489 §11.2, RFC 8601 §2.7).</summary>
public enum DmarcResult
{
    None,
    Pass,
    Fail,
    TempError,
    PermError,
}

/// <summary>
/// The DMARC result for a message. <see cref="Policy"/> is the policy the domain asks for (p, or sp
/// for a subdomain), <see cref="Disposition"/> what applies after "pct" sampling (RFC 7489 §6.6.4).
/// </summary>
public sealed record DmarcOutcome(DmarcResult Result, string? FromDomain, DmarcPolicy? Policy, DmarcPolicy Disposition, string Reason)
{
    /// <summary>True when the domain asks for the message to be refused and sampling applied it.</summary>
    public bool RequestsReject => Result == DmarcResult.Fail && Disposition == DmarcPolicy.Reject;

    /// <summary>True when the domain asks for the message to be refused or treated as suspicious.</summary>
    public bool RequestsQuarantine => Result == DmarcResult.Fail && Disposition != DmarcPolicy.None;
}

/// <summary>
/// RFC 7489 evaluation: finds the record for the RFC5322.From domain (falling back to its
/// organisational domain, §6.6.3), then checks identifier alignment of the SPF and DKIM passes (§3.1)
/// and applies p/sp/pct. The organisational domain comes from the Public Suffix List (§3.2).
/// </summary>
public sealed class DmarcEvaluator(IAuthenticationDns dns, PublicSuffixList suffixes, Func<int>? sample = null)
{
    /// <summary>A number in [0, 100) per message, for "pct" (§6.6.4); tests pass their own.</summary>
    private readonly Func<int> _sample = sample ?? (() => Random.Shared.Next(100));

    /// <summary>The organisational domain (§3.2): the registrable domain, or the name itself when it is a public suffix.</summary>
    public string OrganisationalDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = domain.TrimEnd('.').ToLowerInvariant();
        return suffixes.GetRegistrableDomain(name) ?? name;
    }

    /// <summary>Whether two domains are aligned in the given mode (§3.1.1, §3.1.2).</summary>
    public bool Aligned(string domain, string fromDomain, DmarcAlignment mode)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(fromDomain);
        return mode == DmarcAlignment.Strict
            ? string.Equals(domain.TrimEnd('.'), fromDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
            : string.Equals(OrganisationalDomain(domain), OrganisationalDomain(fromDomain), StringComparison.Ordinal);
    }

    /// <summary>
    /// Evaluates DMARC for <paramref name="fromDomain"/> given the SPF result for
    /// <paramref name="spfDomain"/> (MAIL FROM's domain, or the HELO name for the null sender) and the
    /// DKIM results.
    /// </summary>
    public async Task<DmarcOutcome> EvaluateAsync(string fromDomain, SpfOutcome spf, string? spfDomain, IReadOnlyList<DkimOutcome> dkim, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fromDomain);
        ArgumentNullException.ThrowIfNull(spf);
        ArgumentNullException.ThrowIfNull(dkim);
        var from = fromDomain.TrimEnd('.').ToLowerInvariant();
        var organisational = OrganisationalDomain(from);
        var (status, record, atOrganisational) = await FindRecordAsync(from, organisational, ct).ConfigureAwait(false);
        if (status == DnsStatus.TempError)
        {
            return new DmarcOutcome(DmarcResult.TempError, from, null, DmarcPolicy.None, "DNS error looking up the DMARC record");
        }
        if (record is null)
        {
            return new DmarcOutcome(DmarcResult.None, from, null, DmarcPolicy.None, "no DMARC record");
        }
        // §6.3 "sp": applies when the record was found at the organisational domain for a subdomain's mail.
        var policy = atOrganisational && from != organisational ? record.SubdomainPolicy ?? record.Policy : record.Policy;
        var dkimAligned = dkim.Any(d => d.Result == DkimResult.Pass && d.Domain is { } domain && Aligned(domain, from, record.DkimAlignment));
        var spfAligned = spf.Result == SpfResult.Pass && spfDomain is not null && Aligned(spfDomain, from, record.SpfAlignment);
        if (dkimAligned || spfAligned)
        {
            return new DmarcOutcome(DmarcResult.Pass, from, policy, DmarcPolicy.None, dkimAligned ? "aligned DKIM pass" : "aligned SPF pass");
        }
        if (spf.Result == SpfResult.TempError || dkim.Any(d => d.Result == DkimResult.TempError))
        {
            // A DNS error may have hidden an aligned pass: do not apply a policy on a guess.
            return new DmarcOutcome(DmarcResult.TempError, from, policy, DmarcPolicy.None, "SPF or DKIM could not be checked");
        }
        // §6.6.4: a message outside the pct sample gets the next policy down.
        var disposition = policy;
        if (_sample() >= record.Percent)
        {
            disposition = policy switch
            {
                DmarcPolicy.Reject => DmarcPolicy.Quarantine,
                _ => DmarcPolicy.None,
            };
        }
        return new DmarcOutcome(DmarcResult.Fail, from, policy, disposition, "no aligned SPF or DKIM pass");
    }

    /// <summary>§6.6.3: _dmarc.&lt;From domain&gt;, then _dmarc.&lt;organisational domain&gt;; exactly one valid record or none.</summary>
    private async Task<(DnsStatus Status, DmarcRecord? Record, bool AtOrganisational)> FindRecordAsync(string from, string organisational, CancellationToken ct)
    {
        var (status, record) = await LookupAsync(from, ct).ConfigureAwait(false);
        if (status == DnsStatus.TempError || record is not null || from == organisational)
        {
            return (status, record, from == organisational);
        }
        (status, record) = await LookupAsync(organisational, ct).ConfigureAwait(false);
        return (status, record, true);
    }

    private async Task<(DnsStatus Status, DmarcRecord? Record)> LookupAsync(string domain, CancellationToken ct)
    {
        var txt = await dns.TxtAsync("_dmarc." + domain, ct).ConfigureAwait(false);
        if (txt.Status == DnsStatus.TempError)
        {
            return (DnsStatus.TempError, null);
        }
        var records = txt.Records.Where(DmarcRecord.IsDmarcRecord).ToList();
        // More than one record: DMARC is not applied (§6.6.3 step 5).
        if (records.Count != 1)
        {
            return (DnsStatus.NotFound, null);
        }
        return (DnsStatus.Found, DmarcRecord.Parse(records[0]).Record);
    }
}
