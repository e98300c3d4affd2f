using System.Text;
using System.Text.Json;

namespace Letterbox.Settings.Dns;

/// <summary>Writes a DNS plan as a zone-file fragment (RFC 1035 §5.1) or as JSON.</summary>
public static class DnsPlanWriter
{
    public const int DefaultTtl = 3600;

    /// <summary>
    /// Zone-file lines with absolute names (trailing dot), TTL and class, each preceded by a "; why" comment
    /// line; TXT values are quoted and split into character-strings of at most 255 octets (RFC 1035 §3.3.14).
    /// </summary>
    public static void WriteZone(TextWriter output, IReadOnlyList<DnsRecord> records, IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(notes);
        foreach (var note in notes)
        {
            output.WriteLine("; " + note);
        }
        string? lastOwnerGroup = null;
        foreach (var record in records)
        {
            var group = OwnerGroup(record.Name);
            if (lastOwnerGroup is not null && group != lastOwnerGroup)
            {
                output.WriteLine();
            }
            lastOwnerGroup = group;
            output.WriteLine("; " + record.Comment);
            output.WriteLine($"{record.Name}.\t{DefaultTtl}\tIN\t{record.Type}\t{Presentation(record)}");
        }
    }

    /// <summary>A JSON array of {name, type, ttl, value, comment}; value as in the zone file but TXT unquoted.</summary>
    public static void WriteJson(Stream output, IReadOnlyList<DnsRecord> records, IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(notes);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartArray("notes");
        foreach (var note in notes)
        {
            w.WriteStringValue(note);
        }
        w.WriteEndArray();
        w.WriteStartArray("records");
        foreach (var r in records)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name + ".");
            w.WriteString("type", r.Type);
            w.WriteNumber("ttl", DefaultTtl);
            w.WriteString("value", r.Value);
            w.WriteString("comment", r.Comment);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string OwnerGroup(string name)
    {
        // Records of one domain stay together: group by the name with service/sub labels removed.
        var labels = name.Split('.');
        var skip = 0;
        while (skip < labels.Length - 2 && (labels[skip].StartsWith('_') || labels[skip] is "autoconfig" or "autodiscover" or "mta-sts" or "ua-auto-config"))
        {
            skip++;
        }
        return string.Join('.', labels.Skip(skip));
    }

    private static string Presentation(DnsRecord record)
    {
        if (record.Type != "TXT")
        {
            return record.Value;
        }
        var bytes = Encoding.UTF8.GetBytes(record.Value);
        var parts = new List<string>();
        for (var i = 0; i < bytes.Length; i += 255)
        {
            var chunk = Encoding.UTF8.GetString(bytes, i, Math.Min(255, bytes.Length - i));
            parts.Add("\"" + chunk.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        }
        return string.Join(' ', parts);
    }
}
