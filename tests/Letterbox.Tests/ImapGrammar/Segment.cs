using System.Buffers;

namespace Letterbox.Tests.ImapGrammar;

/// <summary>Builds multi-segment sequences so the framer's cross-segment path is exercised.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

    public Segment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }

    /// <summary>The bytes cut into pieces at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order());
        bounds.Add(bytes.Length);
        var first = new Segment(bytes.AsMemory(bounds[0], bounds[1] - bounds[0]));
        var last = first;
        for (int i = 1; i < bounds.Count - 1; i++)
        {
            last = last.Append(bytes.AsMemory(bounds[i], bounds[i + 1] - bounds[i]));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
