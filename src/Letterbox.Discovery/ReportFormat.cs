using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Letterbox.Discovery.Doctor;

namespace Letterbox.Discovery;

/// <summary>Discover and doctor output: an aligned table for people, JSON for programs.</summary>
public static class ReportFormat
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The discovery result as JSON (settings, notes, mechanism, steps).</summary>
    public static string ToJson(DiscoveryResult result) => JsonSerializer.Serialize(result, Json);

    /// <summary>The doctor report as JSON (passed, checks).</summary>
    public static string ToJson(DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(new { passed = report.Passed, checks = report.Checks }, Json);
    }

    /// <summary>The settings as a table (protocol, host, port, security, username, trust, source), then notes and warnings.</summary>
    public static string ToTable(DiscoveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        if (result.Settings.Count == 0)
        {
            text.Append($"No settings found for {result.Address}.\n\nTried:\n");
            foreach (var step in result.Steps)
            {
                text.Append($"  {step.Mechanism,-26} {step.Target}: {step.Detail}\n");
            }
            return text.ToString();
        }
        var rows = new List<string[]> { new[] { "PROTOCOL", "HOST", "PORT", "SECURITY", "USERNAME", "TRUST", "SOURCE" } };
        rows.AddRange(result.Settings.Select(s => new[]
        {
            s.Protocol.ToString().ToUpperInvariant(), s.Host, s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.Security switch { SocketSecurity.Ssl => "SSL/TLS", SocketSecurity.StartTls => "STARTTLS", _ => "NONE (insecure)" },
            s.Username, TrustName(s.Trust), s.Source,
        }));
        var widths = Enumerable.Range(0, 6).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < 6; i++)
            {
                text.Append(row[i].PadRight(widths[i] + 2));
            }
            text.Append(row[6]).Append('\n');
        }
        text.Append($"\nFound by: {result.Mechanism}\n");
        foreach (var note in result.Notes)
        {
            text.Append($"Note: {note}\n");
        }
        foreach (var warning in result.Settings.SelectMany(s => s.Warnings.Select(w => $"{s.Protocol.ToString().ToUpperInvariant()} {s.Host}: {w}")).Distinct())
        {
            text.Append($"WARNING: {warning}\n");
        }
        return text.ToString();
    }

    /// <summary>The doctor report, one line per check with its fix, then the verdict.</summary>
    public static string ToTable(DoctorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var width = report.Checks.Count == 0 ? 0 : report.Checks.Max(c => c.Name.Length);
        foreach (var check in report.Checks)
        {
            var mark = check.Status switch { CheckStatus.Pass => "ok  ", CheckStatus.Warn => "WARN", CheckStatus.Fail => "FAIL", _ => "skip" };
            text.Append($"[{mark}] {check.Name.PadRight(width)}  {check.Detail}\n");
            if (check.Fix is not null)
            {
                text.Append($"       {new string(' ', width)}  → {check.Fix}\n");
            }
        }
        text.Append(report.Passed ? "\nAll checks passed.\n" : $"\n{report.Checks.Count(c => c.Status == CheckStatus.Fail)} failed, {report.Checks.Count(c => c.Status == CheckStatus.Warn)} warning(s).\n");
        return text.ToString();
    }

    private static string TrustName(SettingsTrust trust) => trust switch
    {
        SettingsTrust.Verified => "verified",
        SettingsTrust.ProviderTable => "provider table",
        SettingsTrust.Https => "https",
        SettingsTrust.Dns => "dns",
        SettingsTrust.Http => "http (unverified)",
        _ => "guessed (problem)",
    };
}
