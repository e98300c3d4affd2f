using System.Net;
using System.Text.RegularExpressions;

namespace Letterbox.Tests.Settings;

/// <summary>A record read back from zone-file text (RFC 1035 §5.1 subset: one record per line, absolute names).</summary>
internal sealed record ZoneRecord(string Name, int Ttl, string Type, string Data);

/// <summary>A strict reader for what <c>letterbox dns</c> prints: it fails on anything a name server would reject.</summary>
internal static partial class ZoneLines
{
    public static List<ZoneRecord> Parse(string text)
    {
        var records = new List<ZoneRecord>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith(';'))
            {
                continue;
            }
            var fields = line.Split('\t');
            Assert.True(fields.Length == 5, $"not 5 tab-separated fields: {line}");
            var (name, ttl, @class, type, data) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
            Assert.True(name.EndsWith('.'), $"owner not absolute: {line}");
            Assert.True(Name().IsMatch(name), $"owner is not a valid name: {name}");
            Assert.Equal("IN", @class);
            Assert.True(int.TryParse(ttl, out var seconds) && seconds > 0, line);
            CheckData(type, data, line);
            records.Add(new ZoneRecord(name, seconds, type, data));
        }
        return records;
    }

    private static void CheckData(string type, string data, string line)
    {
        switch (type)
        {
            case "A":
                Assert.True(IPAddress.TryParse(data, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork, line);
                break;
            case "AAAA":
                Assert.True(IPAddress.TryParse(data, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, line);
                break;
            case "MX":
                Assert.Matches(@"^\d{1,5} [a-z0-9.-]+\.$", data);
                Assert.False(IPAddress.TryParse(data.Split(' ')[1].TrimEnd('.'), out _), "MX target is an IP literal");
                break;
            case "CNAME":
                Assert.Matches(@"^[a-z0-9.-]+\.$", data);
                break;
            case "SRV":
                Assert.Matches(@"^\d{1,5} \d{1,5} \d{1,5} ([a-z0-9.-]+\.|\.)$", data);
                break;
            case "TLSA":
                Assert.Matches("^3 1 1 [0-9a-f]{64}$", data);
                break;
            case "TXT":
                // One or more quoted character-strings of at most 255 octets.
                Assert.Matches("^\"([^\"\\\\]|\\\\.){0,255}\"( \"([^\"\\\\]|\\\\.){0,255}\")*$", data);
                break;
            default:
                Assert.Fail($"unexpected type {type}: {line}");
                break;
        }
    }

    [GeneratedRegex(@"^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+$")]
    private static partial Regex Name();
}
