using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Letterbox.Smtp.Authentication;

/// <summary>How a DNS question ended, in the terms SPF, DKIM and DMARC need (RFC 7208 §2.6, §4.6.4).</summary>
public enum DnsStatus
{
    /// <summary>An answer with at least one record of the type asked.</summary>
    Found,
    /// <summary>NXDOMAIN or NOERROR with no record of that type: a "void lookup" for SPF.</summary>
    NotFound,
    /// <summary>SERVFAIL, a timeout, or any other error that may go away: SPF/DKIM/DMARC temperror.</summary>
    TempError,
}

/// <summary>The records of one answer, with how the question ended.</summary>
public sealed record DnsAnswer<T>(DnsStatus Status, IReadOnlyList<T> Records)
{
    public static DnsAnswer<T> NotFound { get; } = new(DnsStatus.NotFound, []);
    public static DnsAnswer<T> TempError { get; } = new(DnsStatus.TempError, []);
}

/// <summary>
/// The few DNS questions message authentication asks. Small on purpose, so the SPF evaluator and the
/// DMARC lookup are plain logic over it; <see cref="LookupClientDns"/> answers them with DnsClient.
/// </summary>
public interface IAuthenticationDns
{
    /// <summary>TXT records, each one's character-strings joined without spaces (RFC 7208 §3.3, RFC 6376 §3.6.2.2).</summary>
    Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct);

    /// <summary>A (InterNetwork) or AAAA (InterNetworkV6) records.</summary>
    Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken ct);

    /// <summary>MX exchange names, lowest preference first.</summary>
    Task<DnsAnswer<string>> MxAsync(string name, CancellationToken ct);

    /// <summary>PTR names of an address (in-addr.arpa / ip6.arpa).</summary>
    Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken ct);
}

/// <summary><see cref="IAuthenticationDns"/> over DnsClient's <see cref="ILookupClient"/> (made by <c>Letterbox.Net.Dns.DnsLookup</c>).</summary>
public sealed class LookupClientDns(ILookupClient lookup) : IAuthenticationDns
{
    public async Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct)
    {
        var (status, records) = await QueryAsync(name, QueryType.TXT, ct).ConfigureAwait(false);
        return Answer(status, records.TxtRecords().Select(t => string.Concat(t.Text)));
    }

    public async Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken ct)
    {
        var type = family == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A;
        var (status, records) = await QueryAsync(name, type, ct).ConfigureAwait(false);
        // A CNAME chain leaves CNAME records in the answer; only addresses of the family asked count.
        return Answer(status, records.AddressRecords().Select(a => a.Address).Where(a => a.AddressFamily == family));
    }

    public async Task<DnsAnswer<string>> MxAsync(string name, CancellationToken ct)
    {
        var (status, records) = await QueryAsync(name, QueryType.MX, ct).ConfigureAwait(false);
        return Answer(status, records.MxRecords().OrderBy(m => m.Preference).Select(m => m.Exchange.Value.TrimEnd('.')));
    }

    public async Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (status, records) = await QueryAsync(address.GetArpaName(), QueryType.PTR, ct).ConfigureAwait(false);
        return Answer(status, records.PtrRecords().Select(p => p.PtrDomainName.Value.TrimEnd('.')));
    }

    private async Task<(DnsStatus Status, IReadOnlyList<DnsResourceRecord> Records)> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        if (ToAscii(name) is not { } ascii)
        {
            // A name that cannot be put in a query (a bad IDN, an over-long label from a macro) has no records.
            return (DnsStatus.NotFound, []);
        }
        IDnsQueryResponse response;
        try
        {
            response = await lookup.QueryAsync(ascii, type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            return (DnsStatus.NotFound, []);
        }
        catch (DnsResponseException)
        {
            // Timeouts and unreachable resolvers (ThrowDnsErrors is off, so only transport trouble lands here).
            return (DnsStatus.TempError, []);
        }
        catch (SocketException)
        {
            return (DnsStatus.TempError, []);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (DnsStatus.TempError, []);
        }
        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => (DnsStatus.Found, response.Answers),
            DnsHeaderResponseCode.NotExistentDomain => (DnsStatus.NotFound, []),
            _ => (DnsStatus.TempError, []),
        };
    }

    /// <summary>Internationalised names are asked in their A-label form (RFC 5890); labels of 1-63 octets, 253 in all.</summary>
    private static string? ToAscii(string name)
    {
        var trimmed = name.TrimEnd('.');
        string ascii;
        try
        {
            ascii = System.Text.Ascii.IsValid(trimmed) ? trimmed : Idn.GetAscii(trimmed);
        }
        catch (ArgumentException)
        {
            return null;
        }
        return ascii.Length is > 0 and <= 253 && ascii.Split('.').All(l => l.Length is > 0 and <= 63) ? ascii : null;
    }

    private static readonly System.Globalization.IdnMapping Idn = new() { AllowUnassigned = true };

    private static DnsAnswer<T> Answer<T>(DnsStatus status, IEnumerable<T> records)
    {
        if (status != DnsStatus.Found)
        {
            return status == DnsStatus.NotFound ? DnsAnswer<T>.NotFound : DnsAnswer<T>.TempError;
        }
        var list = records.ToList();
        return list.Count == 0 ? DnsAnswer<T>.NotFound : new DnsAnswer<T>(DnsStatus.Found, list);
    }
}
