namespace Letterbox.Settings.Dns;

/// <summary>
/// One record to publish. <paramref name="Name"/> is absolute without the final dot; <paramref name="Value"/>
/// is the RDATA in zone-file presentation (TXT values unquoted: the writer quotes them).
/// </summary>
public sealed record DnsRecord(string Name, string Type, string Value, string Comment);
