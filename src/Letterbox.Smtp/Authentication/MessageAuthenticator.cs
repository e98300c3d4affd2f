using System.Net;
using Letterbox.Core.Domains;
using MimeKit;
using MimeKit.Cryptography;

namespace Letterbox.Smtp.Authentication;

/// <summary>What the delivery pipeline does with a message after the checks.</summary>
public enum AuthenticationVerdict
{
    /// <summary>Store it as usual.</summary>
    Deliver,
    /// <summary>Store it in the account's \Junk mailbox (DMARC quarantine, or reject when rejecting is off).</summary>
    Junk,
    /// <summary>Refuse it: 550 5.7.1 (DMARC p=reject with Smtp:RejectDmarcFailures on).</summary>
    Reject,
    /// <summary>Refuse it for now: 451 4.4.3 (a DNS error hid the DMARC result and Smtp:DeferOnDnsErrors is on).</summary>
    Defer,
}

/// <summary>How the checks turn results into a verdict, and how long they may take in all.</summary>
/// <param name="RejectDmarcFailures">Refuse DMARC p=reject failures instead of filing them as Junk.</param>
/// <param name="DeferOnDnsErrors">Answer 451 4.4.3 when a DNS error leaves DMARC undecided, instead of delivering with temperror recorded.</param>
/// <param name="Timeout">Time for all the DNS work of one message (RFC 7208 §4.6.4 suggests at least 20 seconds for SPF).</param>
public sealed record AuthenticationPolicy(bool RejectDmarcFailures, bool DeferOnDnsErrors, TimeSpan Timeout);

/// <summary>The checks' outcome: the verdict, the Authentication-Results header to prepend, and the forged fields to drop.</summary>
public sealed record AuthenticationCheck(AuthenticationVerdict Verdict, string Header, IReadOnlyList<ByteRange> ForgedFields, AuthenticationReport Report);

/// <summary>
/// Runs SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489) and ARC (RFC 8617) on one received message
/// and writes the RFC 8601 Authentication-Results header under <paramref name="authservId"/> (the
/// server's host name). DKIM and ARC are MimeKit's verifiers; the message is parsed from the spool
/// with persistent=true, so part bodies stay on disk and are streamed through the body hash.
/// </summary>
public sealed class MessageAuthenticator(IAuthenticationDns dns, string authservId, AuthenticationPolicy policy, PublicSuffixList? suffixes = null, Func<int>? dmarcSample = null)
{
    /// <summary>DKIM-Signature fields verified per message; more are reported as not checked (each costs DNS and a body hash).</summary>
    public const int MaxDkimSignatures = 8;

    private readonly DmarcEvaluator _dmarc = new(dns, suffixes ?? PublicSuffixList.Default, dmarcSample);

    /// <summary>The authserv-id written into, and protected in, Authentication-Results.</summary>
    public string AuthservId => authservId;

    /// <summary>
    /// Checks a message received from <paramref name="client"/> that said HELO <paramref name="helo"/>
    /// and MAIL FROM <paramref name="mailFrom"/> ("" for the null sender). <paramref name="content"/>
    /// must be seekable; it is left at position 0.
    /// </summary>
    public async Task<AuthenticationCheck> CheckAsync(IPAddress client, string helo, string mailFrom, Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(helo);
        ArgumentNullException.ThrowIfNull(mailFrom);
        ArgumentNullException.ThrowIfNull(content);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(policy.Timeout);
        var token = budget.Token;
        try
        {
            var forged = await ForgedAuthenticationResults.FindAsync(content, authservId, ct).ConfigureAwait(false);
            content.Position = 0;
            using var message = await MimeMessage.LoadAsync(content, persistent: true, ct).ConfigureAwait(false);

            // RFC 7208 §2.4: the null sender is checked as postmaster@HELO.
            var nullSender = mailFrom.Length == 0;
            var spfSender = nullSender ? "postmaster@" + helo : mailFrom;
            var spfDomain = nullSender ? helo : mailFrom[(mailFrom.LastIndexOf('@') + 1)..];
            var spf = await Guard(token, ct, () => new SpfEvaluator(dns, authservId).CheckHostAsync(client, spfDomain, spfSender, helo, token),
                () => new SpfOutcome(SpfResult.TempError, "DNS checks took too long")).ConfigureAwait(false);

            var locator = new DkimKeyLocator(dns);
            var dkim = await Guard(token, ct, () => VerifyDkimAsync(message, locator, token),
                () => (IReadOnlyList<DkimOutcome>)[new DkimOutcome(DkimResult.TempError, null, null, null, null, "DNS checks took too long")]).ConfigureAwait(false);

            var dmarc = await Guard(token, ct, () => EvaluateDmarcAsync(message, spf, spfDomain, dkim, token),
                () => new DmarcOutcome(DmarcResult.TempError, null, null, DmarcPolicy.None, "DNS checks took too long")).ConfigureAwait(false);

            var arc = await Guard(token, ct, () => VerifyArcAsync(message, locator, token), () => ArcResult.Fail).ConfigureAwait(false);

            var report = new AuthenticationReport(spf, nullSender ? "smtp.helo" : "smtp.mailfrom", nullSender ? helo : mailFrom, dkim, dmarc, arc);
            return new AuthenticationCheck(Verdict(dmarc), report.ToHeader(authservId), forged, report);
        }
        finally
        {
            content.Position = 0;
        }
    }

    private AuthenticationVerdict Verdict(DmarcOutcome dmarc)
    {
        if (dmarc.RequestsReject)
        {
            return policy.RejectDmarcFailures ? AuthenticationVerdict.Reject : AuthenticationVerdict.Junk;
        }
        if (dmarc.RequestsQuarantine)
        {
            return AuthenticationVerdict.Junk;
        }
        // A DNS error must not lose mail: deliver with temperror recorded, unless told to make the sender retry.
        return dmarc.Result == DmarcResult.TempError && policy.DeferOnDnsErrors ? AuthenticationVerdict.Defer : AuthenticationVerdict.Deliver;
    }

    /// <summary>Runs one stage; when the time budget runs out (not the caller's token) the stage reports <paramref name="timedOut"/>.</summary>
    private static async Task<T> Guard<T>(CancellationToken budget, CancellationToken caller, Func<Task<T>> stage, Func<T> timedOut)
    {
        if (budget.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            return timedOut();
        }
        try
        {
            return await stage().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            return timedOut();
        }
    }

    /// <summary>RFC 6376 §6: each DKIM-Signature field on its own; RFC 8601 §2.7.1 names the result.</summary>
    private static async Task<IReadOnlyList<DkimOutcome>> VerifyDkimAsync(MimeMessage message, DkimKeyLocator locator, CancellationToken ct)
    {
        var verifier = new DkimVerifier(locator);
        var outcomes = new List<DkimOutcome>();
        foreach (var field in message.Headers.Where(h => h.Id == HeaderId.DkimSignature).Take(MaxDkimSignatures))
        {
            var tags = Tags(field.Value);
            var domain = tags.GetValueOrDefault("d");
            var selector = tags.GetValueOrDefault("s");
            var algorithm = tags.GetValueOrDefault("a");
            var signature = tags.GetValueOrDefault("b") is { Length: > 0 } b ? b[..Math.Min(12, b.Length)] : null;
            DkimResult result;
            string reason;
            try
            {
                var valid = await verifier.VerifyAsync(message, field, ct).ConfigureAwait(false);
                (result, reason) = valid ? (DkimResult.Pass, "signature verified") : (DkimResult.Fail, "signature did not verify");
            }
            catch (DkimKeyException e)
            {
                (result, reason) = (e.Temporary ? DkimResult.TempError : DkimResult.PermError, e.Message);
            }
            catch (Exception e) when (e is FormatException or ParseException or NotSupportedException or ArgumentException or Org.BouncyCastle.Crypto.CryptoException)
            {
                // RFC 8601 §2.7.1 "neutral": the signature could not be processed (syntax, unsupported algorithm).
                (result, reason) = (DkimResult.Neutral, "signature could not be processed");
            }
            outcomes.Add(new DkimOutcome(result, domain, selector, algorithm, signature, reason));
        }
        return outcomes;
    }

    private async Task<DmarcOutcome> EvaluateDmarcAsync(MimeMessage message, SpfOutcome spf, string spfDomain, IReadOnlyList<DkimOutcome> dkim, CancellationToken ct)
    {
        // RFC 7489 §6.6.1: one From field with one address; anything else cannot be evaluated.
        var fromFields = message.Headers.Count(h => h.Id == HeaderId.From);
        var mailboxes = message.From.Mailboxes.ToList();
        if (fromFields != 1 || mailboxes.Count != 1 || mailboxes[0].Domain is not { Length: > 0 } fromDomain)
        {
            return new DmarcOutcome(DmarcResult.PermError, null, null, DmarcPolicy.None, "not exactly one From address");
        }
        return await _dmarc.EvaluateAsync(fromDomain, spf, SpfEvaluator.IsValidDomain(spfDomain) ? spfDomain : null, dkim, ct).ConfigureAwait(false);
    }

    private static async Task<ArcResult> VerifyArcAsync(MimeMessage message, DkimKeyLocator locator, CancellationToken ct)
    {
        try
        {
            var result = await new ArcVerifier(locator).VerifyAsync(message, ct).ConfigureAwait(false);
            return result.Chain switch
            {
                ArcSignatureValidationResult.Pass => ArcResult.Pass,
                ArcSignatureValidationResult.Fail => ArcResult.Fail,
                _ => ArcResult.None,
            };
        }
        catch (Exception e) when (e is FormatException or ParseException or DkimKeyException or NotSupportedException or ArgumentException)
        {
            return ArcResult.Fail;
        }
    }

    /// <summary>RFC 6376 §3.2 tag=value list; white space inside values (folded b=) removed.</summary>
    private static Dictionary<string, string> Tags(string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value.Split(';'))
        {
            var pair = part.Split('=', 2);
            if (pair.Length == 2)
            {
                tags.TryAdd(pair[0].Trim(), string.Concat(pair[1].Where(c => !char.IsWhiteSpace(c))));
            }
        }
        return tags;
    }
}
