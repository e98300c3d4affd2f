using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Imap.Session;

/// <summary>
/// Writes response octets straight into the connection's <see cref="PipeWriter"/> buffers;
/// the session flushes once per command batch, and long bodies are flushed chunk by chunk.
/// </summary>
internal sealed class ResponseOutput(Func<PipeWriter> writer)
{
    public PipeWriter Writer => writer();

    public ResponseOutput Raw(ReadOnlySpan<byte> bytes)
    {
        Writer.Write(bytes);
        return this;
    }

    /// <summary>An ASCII (or UTF-8) atom-like text written as is.</summary>
    public ResponseOutput Text(string text)
    {
        var w = Writer;
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = w.GetSpan(max);
        var n = Encoding.UTF8.GetBytes(text, span);
        w.Advance(n);
        return this;
    }

    public ResponseOutput Number(long value)
    {
        var span = Writer.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var n);
        Writer.Advance(n);
        return this;
    }

    public ResponseOutput Number(ulong value)
    {
        var span = Writer.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var n);
        Writer.Advance(n);
        return this;
    }

    public ResponseOutput Crlf() => Raw("\r\n"u8);

    public ResponseOutput Space() => Raw(" "u8);

    /// <summary>The grammar's writer over the same buffers, for strings, mailbox names and dates.</summary>
    public ResponseWriter Grammar => new(Writer, Utf8);

    /// <summary>True once the client enabled IMAP4rev2 or UTF8=ACCEPT: strings and mailbox names go as UTF-8.</summary>
    public bool Utf8 { get; set; }

    public ResponseOutput String(string value)
    {
        Grammar.WriteString(value);
        return this;
    }

    public ResponseOutput NString(string? value)
    {
        Grammar.WriteNString(value);
        return this;
    }

    public ResponseOutput AString(string value)
    {
        Grammar.WriteAString(value);
        return this;
    }

    public ResponseOutput MailboxName(string name)
    {
        Grammar.WriteMailboxName(name);
        return this;
    }

    public ResponseOutput DateTime(DateTimeOffset value)
    {
        Grammar.WriteDateTime(value);
        return this;
    }

    public ResponseOutput FlagList(IEnumerable<string> flags)
    {
        Grammar.WriteFlagList(flags);
        return this;
    }

    public ResponseOutput LiteralHeader(long length, bool binary = false)
    {
        Grammar.WriteLiteralHeader(length, binary);
        return this;
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken ct) => Writer.FlushAsync(ct);
}
