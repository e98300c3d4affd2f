using System.Runtime.InteropServices;
using MimeKit;

namespace Letterbox.Store.Ingest;

/// <summary>What ingest computes once from a message's bytes (DESIGN rule 2: parse once).</summary>
internal sealed record IngestedMessage(MessageEnvelope Envelope, MimePartInfo Structure, string SearchText);

/// <summary>Parses a message with MimeKit into envelope, structure and search text.</summary>
internal static class MessageIngest
{
    private static readonly MessageEnvelope EmptyEnvelope = new();

    /// <summary>
    /// Analyses the bytes in <paramref name="file"/> (positioned anywhere; read from 0). Never throws
    /// for broken content: a message MimeKit cannot parse becomes one text/plain part.
    /// </summary>
    public static IngestedMessage Analyze(FileStream file)
    {
        using var bytes = new BlobBytes(file.SafeFileHandle, file.Length);
        file.Position = 0;
        return Analyze(file, bytes);
    }

    /// <summary>
    /// Analyses a message held in memory (the same result as from its file, without reading it back
    /// from disk). Never throws for broken content.
    /// </summary>
    public static IngestedMessage Analyze(ReadOnlyMemory<byte> message)
    {
        using var bytes = new BlobBytes(message);
        var stream = MemoryMarshal.TryGetArray(message, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: true)
            : new MemoryStream(message.ToArray(), writable: false);
        using (stream)
        {
            return Analyze(stream, bytes);
        }
    }

    private static IngestedMessage Analyze(Stream content, BlobBytes bytes)
    {
        try
        {
            var parser = new MimeParser(content, MimeFormat.Entity, persistent: true);
            var structure = new StructureReader(parser, bytes);
            var message = parser.ParseMessage();
            var root = structure.ReadMessage(message, 0, bytes.Length, depth: 0);
            string searchText;
            try
            {
                searchText = SearchTextBuilder.Build(message, bytes.Length);
            }
            catch (Exception ex) when (ex is FormatException or IOException or ArgumentException)
            {
                searchText = "";
            }
            return new IngestedMessage(EnvelopeReader.Read(message.Headers), root, searchText);
        }
        catch (FormatException)
        {
            return new IngestedMessage(EmptyEnvelope, StructureReader.PlainText(bytes), "");
        }
    }
}
