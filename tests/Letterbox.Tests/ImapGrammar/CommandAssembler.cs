using System.Buffers;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

/// <summary>
/// What a session does with the framer: lines and literals into <see cref="CommandInput"/>s,
/// then the parser. Used to feed commands split at every byte boundary.
/// </summary>
internal sealed class CommandAssembler(int maxLineLength = 8192, ParserLimits? limits = null)
{
    private CommandInput _input = new();
    private long? _pendingLiteral;

    public List<ParseResult> Results { get; } = [];

    /// <summary>Continuation requests ("+ ") the server would have sent, one per synchronizing literal.</summary>
    public int Continuations { get; private set; }

    /// <summary>Offsets (from the first byte ever fed) just after each line and literal consumed.</summary>
    public List<long> Boundaries { get; } = [];

    private long _fed;

    public bool HasPartialCommand => _input.Lines.Count > 0 || _pendingLiteral is not null;

    /// <summary>Consumes what it can; returns how many octets were consumed.</summary>
    public long Feed(ReadOnlySequence<byte> buffer)
    {
        long start = buffer.Length;
        while (true)
        {
            if (_pendingLiteral is { } length)
            {
                if (!CommandFramer.TryReadLiteral(ref buffer, length, out var octets))
                {
                    break;
                }
                _input.AddLiteral(ImapLiteral.FromBytes(octets));
                Boundaries.Add(_fed + start - buffer.Length);
                _pendingLiteral = null;
                continue;
            }
            var status = CommandFramer.TryReadLine(ref buffer, maxLineLength, out var line, out var literal);
            if (status == FrameStatus.NeedMoreData)
            {
                break;
            }
            if (status != FrameStatus.Complete)
            {
                throw new InvalidOperationException($"Framer said {status}");
            }
            _input.AddLine(line);
            Boundaries.Add(_fed + start - buffer.Length);
            if (literal.Present)
            {
                _pendingLiteral = literal.Length;
                if (literal.Synchronizing)
                {
                    Continuations++;
                }
                continue;
            }
            Results.Add(CommandParser.Parse(_input, limits ?? ParserLimits.Default));
            _input = new CommandInput();
        }
        _fed += start - buffer.Length;
        return start - buffer.Length;
    }
}
