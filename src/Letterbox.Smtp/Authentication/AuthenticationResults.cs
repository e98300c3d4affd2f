using System.Text;

namespace Letterbox.Smtp.Authentication;

/// <summary>DKIM results per signature (RFC 8601 §2.7.1).</summary>
public enum DkimResult
{
    None,
    Pass,
    Fail,
    /// <summary>The signature could not be processed (syntax, unsupported algorithm).</summary>
    Neutral,
    TempError,
    /// <summary>Unrecoverable: no key, a revoked or unusable key.</summary>
    PermError,
}

/// <summary>ARC chain validation results (RFC 8617 §4.4).</summary>
public enum ArcResult
{
    None,
    Pass,
    Fail,
}

/// <summary>One DKIM signature's result with the properties Authentication-Results reports (RFC 8601 §2.7.1, RFC 6008).</summary>
public sealed record DkimOutcome(DkimResult Result, string? Domain, string? Selector, string? Algorithm, string? SignaturePrefix, string Reason);

/// <summary>Everything checked for one message: what the Authentication-Results header says.</summary>
/// <param name="Spf">The SPF result.</param>
/// <param name="SpfProperty">"smtp.mailfrom" or "smtp.helo" (RFC 8601 §2.7.2): which identity SPF checked.</param>
/// <param name="SpfIdentity">The address or name checked.</param>
/// <param name="Dkim">One result per DKIM-Signature field, in header order (empty: dkim=none).</param>
/// <param name="Dmarc">The DMARC result for the From domain.</param>
/// <param name="Arc">The ARC chain's validation result.</param>
public sealed record AuthenticationReport(SpfOutcome Spf, string SpfProperty, string SpfIdentity, IReadOnlyList<DkimOutcome> Dkim, DmarcOutcome Dmarc, ArcResult Arc)
{
    /// <summary>
    /// The header field (RFC 8601 §2.2) with its final CRLF, one method per folded line:
    /// "Authentication-Results: host; spf=pass smtp.mailfrom=a@b; dkim=...; dmarc=...; arc=...".
    /// </summary>
    public string ToHeader(string authservId)
    {
        ArgumentNullException.ThrowIfNull(authservId);
        var header = new StringBuilder("Authentication-Results: ").Append(authservId);
        Method(header, "spf", Name(Spf.Result), Spf.Reason, (SpfProperty, SpfIdentity));
        if (Dkim.Count == 0)
        {
            Method(header, "dkim", "none", null);
        }
        foreach (var dkim in Dkim)
        {
            var properties = new List<(string, string)>();
            if (dkim.Domain is { } d)
            {
                properties.Add(("header.d", d));
            }
            if (dkim.Selector is { } s)
            {
                properties.Add(("header.s", s));
            }
            if (dkim.Algorithm is { } a)
            {
                properties.Add(("header.a", a));
            }
            if (dkim.SignaturePrefix is { } b)
            {
                properties.Add(("header.b", b));
            }
            Method(header, "dkim", dkim.Result.ToString().ToLowerInvariant(), dkim.Result == DkimResult.Pass ? null : dkim.Reason, [.. properties]);
        }
        var dmarcComment = Dmarc.Policy is { } policy && Dmarc.Result != DmarcResult.None
            ? $"p={policy.ToString().ToUpperInvariant()} dis={Dmarc.Disposition.ToString().ToUpperInvariant()}"
            : Dmarc.Reason;
        Method(header, "dmarc", Dmarc.Result.ToString().ToLowerInvariant(), dmarcComment, Dmarc.FromDomain is { } from ? [("header.from", from)] : []);
        Method(header, "arc", Arc.ToString().ToLowerInvariant(), null);
        return header.Append("\r\n").ToString();
    }

    private static string Name(SpfResult result) => result.ToString().ToLowerInvariant();

    private static void Method(StringBuilder header, string method, string result, string? comment, params (string Name, string Value)[] properties)
    {
        header.Append(";\r\n\t").Append(method).Append('=').Append(result);
        if (comment is not null)
        {
            header.Append(" (").Append(Comment(comment)).Append(')');
        }
        foreach (var (name, value) in properties)
        {
            header.Append(' ').Append(name).Append('=').Append(Value(value));
        }
    }

    /// <summary>RFC 5322 §3.2.2 ctext: no parentheses, backslashes or control characters inside a comment.</summary>
    private static string Comment(string text) =>
        new(text.Select(c => char.IsControl(c) || c is '(' or ')' or '\\' ? ' ' : c).ToArray());

    /// <summary>
    /// RFC 8601 §2.2 pvalue: an RFC 2045 token, or "local@domain" with a dot-atom local part, as is;
    /// anything else as a quoted-string.
    /// </summary>
    private static string Value(string value)
    {
        static bool Atext(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal);
        static bool Token(char c) => c > ' ' && c < 127 && "()<>@,;:\\\"/[]?=".IndexOf(c, StringComparison.Ordinal) < 0;
        if (value.Length > 0 && value.All(Token))
        {
            return value;
        }
        var at = value.LastIndexOf('@');
        if (at > 0 && value[..at].All(Atext) && !value.StartsWith('.') && value[(at + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
        {
            return value;
        }
        var quoted = new StringBuilder("\"");
        foreach (var c in value.Where(c => !char.IsControl(c)))
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }
            quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}
