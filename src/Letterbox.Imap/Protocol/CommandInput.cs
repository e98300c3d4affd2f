using System.Buffers;

namespace Letterbox.Imap.Protocol;

/// <summary>
/// A literal that followed a line of a command: small ones as bytes in memory, large ones (APPEND
/// messages) as a <see cref="MessageLiteral"/> the session spooled to disk.
/// </summary>
public sealed class ImapLiteral
{
    private ImapLiteral(byte[]? bytes, MessageLiteral? message)
    {
        Bytes = bytes;
        Message = message;
    }

    /// <summary>The octets, when held in memory.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The spooled literal, when not held in memory.</summary>
    public MessageLiteral? Message { get; }

    public long Length => Bytes?.LongLength ?? Message!.Length;

    public static ImapLiteral FromBytes(byte[] bytes) => new(bytes ?? throw new ArgumentNullException(nameof(bytes)), null);

    public static ImapLiteral FromBytes(in ReadOnlySequence<byte> octets) => new(octets.ToArray(), null);

    public static ImapLiteral FromMessage(MessageLiteral message) => new(null, message ?? throw new ArgumentNullException(nameof(message)));
}

/// <summary>A <see cref="MessageLiteral"/> over a byte array (small APPENDs, tests).</summary>
public sealed class MemoryMessageLiteral(byte[] content) : MessageLiteral
{
    private readonly byte[] _content = content ?? throw new ArgumentNullException(nameof(content));

    public override long Length => _content.LongLength;

    public ReadOnlyMemory<byte> Content => _content;

    public override Stream OpenRead() => new MemoryStream(_content, writable: false);

    public override void Dispose()
    {
    }
}

/// <summary>
/// A complete command as the session assembled it from the framer (RFC 9051 §2.2.1): line 0,
/// the literal announced at its end, line 1, and so on; the last line announces no literal.
/// Lines keep their literal markers ("{5}", "{5+}", "~{5}"), without CRLF.
/// Dispose it after parsing: that disposes the spooled literals the parsed command did not take
/// (on a successful APPEND the <see cref="AppendMessage.Content"/> literals belong to the command).
/// </summary>
public sealed class CommandInput : IDisposable
{
    private readonly List<byte[]> _lines = [];
    private readonly List<ImapLiteral> _literals = [];
    private readonly HashSet<int> _taken = [];

    public CommandInput()
    {
    }

    /// <summary>A command of one line (no literal).</summary>
    public CommandInput(ReadOnlySpan<byte> line) => AddLine(line);

    public IReadOnlyList<byte[]> Lines => _lines;

    /// <summary>Literal i followed line i.</summary>
    public IReadOnlyList<ImapLiteral> Literals => _literals;

    /// <summary>True when every literal announced so far has been added and a final line follows it.</summary>
    public bool IsComplete => _lines.Count == _literals.Count + 1;

    /// <summary>Octets of lines and literals so far (for a per-command size limit).</summary>
    public long Length { get; private set; }

    public void AddLine(ReadOnlySpan<byte> line)
    {
        if (_lines.Count != _literals.Count)
        {
            throw new InvalidOperationException("A literal must follow each line that announced one before the next line.");
        }
        _lines.Add(line.ToArray());
        Length += line.Length;
    }

    public void AddLine(in ReadOnlySequence<byte> line)
    {
        if (_lines.Count != _literals.Count)
        {
            throw new InvalidOperationException("A literal must follow each line that announced one before the next line.");
        }
        _lines.Add(line.ToArray());
        Length += line.Length;
    }

    public void AddLiteral(ImapLiteral literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        if (_literals.Count + 1 != _lines.Count)
        {
            throw new InvalidOperationException("A literal follows a line.");
        }
        _literals.Add(literal);
        Length += literal.Length;
    }

    /// <summary>Called by the parser when a command takes ownership of literal <paramref name="index"/>.</summary>
    internal void Take(int index) => _taken.Add(index);

    public void Dispose()
    {
        for (int i = 0; i < _literals.Count; i++)
        {
            if (!_taken.Contains(i))
            {
                _literals[i].Message?.Dispose();
            }
        }
    }
}
