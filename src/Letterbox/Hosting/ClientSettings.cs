using Letterbox.Net;

namespace Letterbox.Hosting;

/// <summary>One row of "what do I type in my mail client".</summary>
public sealed record ClientSetting(string Protocol, string Server, int Port, string Security, string UserName);

/// <summary>Builds and prints the client settings of a running server (the answer Letterbox exists to give).</summary>
public static class ClientSettings
{
    /// <summary>Rows for every listener that serves mail to clients, IMAP then POP3, implicit TLS first (RFC 8314).</summary>
    public static IReadOnlyList<ClientSetting> For(LetterboxServer server, string userName, string? serverName = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var settings = server.ClientSettings;
        var host = serverName ?? server.HostName.Display;
        return [.. settings.Incoming.Select(s => new ClientSetting(s.ProtocolLabel, host, s.Port, s.SecurityLabel, userName))];
    }

    public static void Print(TextWriter output, IReadOnlyList<ClientSetting> rows, TlsContext tls, string? password)
    {
        string[] header = ["Protocol", "Server hostname", "Port", "Security", "Username"];
        var cells = rows.Select(r => new[] { r.Protocol, r.Server, r.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Security, r.UserName }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        string Line(IReadOnlyList<string> c) => "  " + string.Join("  ", c.Select((v, i) => v.PadRight(widths[i]))).TrimEnd();
        output.WriteLine("Mail client settings (incoming):");
        output.WriteLine(Line(header));
        output.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var c in cells)
        {
            output.WriteLine(Line(c));
        }
        if (password is not null)
        {
            output.WriteLine($"  Password: {password}");
        }
        output.WriteLine($"  Certificate: {tls.Source}");
        output.WriteLine($"  SHA-256 fingerprint: {tls.Sha256Fingerprint}");
        if (tls.Source.StartsWith("self-signed", StringComparison.Ordinal))
        {
            output.WriteLine("  The certificate is self-signed: your client will ask you to trust it; compare the fingerprint above.");
        }
    }
}
