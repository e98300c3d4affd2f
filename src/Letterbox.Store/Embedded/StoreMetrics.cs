using System.Diagnostics.Metrics;

namespace Letterbox.Store.Embedded;

/// <summary>Instruments of the embedded store (DESIGN rule 6), meter "Letterbox.Store".</summary>
internal static class StoreMetrics
{
    private static readonly Meter Meter = new("Letterbox.Store");

    public static readonly Counter<long> MessagesAppended = Meter.CreateCounter<long>(
        "letterbox.store.messages_appended", "{message}", "Messages committed by APPEND and deliveries.");

    public static readonly Counter<long> BytesAppended = Meter.CreateCounter<long>(
        "letterbox.store.bytes_appended", "By", "Octets of the messages committed.");

    public static readonly Histogram<int> CommitGroupSize = Meter.CreateHistogram<int>(
        "letterbox.store.commit_group_size", "{operation}", "Write operations committed together in one transaction (group commit).");

    public static readonly Counter<long> CommitFailures = Meter.CreateCounter<long>(
        "letterbox.store.commit_failures", "{commit}", "Group commits rolled back by a database or disk error.");
}
