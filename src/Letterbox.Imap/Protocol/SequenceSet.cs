namespace Letterbox.Imap.Protocol;

/// <summary>
/// One range of a sequence set (RFC 9051 §9 seq-range). <see cref="Star"/> stands for "*",
/// the largest number in use; ranges are kept as written (start may exceed end).
/// </summary>
public readonly record struct SequenceRange(uint Start, uint End)
{
    public const uint Star = uint.MaxValue;
}

/// <summary>
/// A sequence set: message sequence numbers or UIDs (RFC 9051 §9 sequence-set), or "$",
/// the saved search result (RFC 5182 SEARCHRES).
/// </summary>
public sealed record SequenceSet(IReadOnlyList<SequenceRange> Ranges, bool IsSavedResult = false)
{
    public static readonly SequenceSet SavedResult = new([], true);
}
