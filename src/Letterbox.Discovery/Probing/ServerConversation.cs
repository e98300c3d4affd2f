using System.Text;

namespace Letterbox.Discovery.Probing;

/// <summary>
/// The few protocol exchanges a probe needs (greeting, capabilities, STARTTLS), line by line over
/// a stream with a reply timeout and explicit limits. Credentials never pass through here.
/// </summary>
internal sealed class ServerConversation(Stream stream, ProbeOptions options)
{
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public Stream Stream { get; private set; } = stream;

    /// <summary>Bytes received before the first line break (or the first bytes read): to tell TLS from text.</summary>
    public byte[] FirstBytes { get; private set; } = [];

    public void Replace(Stream secured)
    {
        Stream = secured;
        _start = _end = 0;
    }

    public async Task WriteLineAsync(string line, CancellationToken ct)
    {
        var bytes = Encoding.ASCII.GetBytes(line + "\r\n");
        using var timeout = Timeout(ct);
        await Stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        await Stream.FlushAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>One line without CRLF; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        using var timeout = Timeout(ct);
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await Stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false);
                if (FirstBytes.Length == 0 && _end > 0)
                {
                    FirstBytes = _buffer[..Math.Min(_end, 16)];
                }
                if (_end == 0)
                {
                    return line.Length > 0 ? line.ToString() : null;
                }
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            if (line.Length > options.MaxLineLength)
            {
                throw new InvalidDataException($"a server line is longer than {options.MaxLineLength} characters");
            }
            if (newline >= 0)
            {
                _start = newline + 1;
                return line.ToString().TrimEnd('\r');
            }
            _start = _end;
        }
    }

    /// <summary>Lines until <paramref name="isLast"/> holds (inclusive), at most MaxReplyLines.</summary>
    public async Task<List<string>?> ReadReplyAsync(Func<string, bool> isLast, CancellationToken ct)
    {
        var lines = new List<string>();
        while (lines.Count < options.MaxReplyLines)
        {
            var line = await ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }
            lines.Add(line);
            if (isLast(line))
            {
                return lines;
            }
        }
        throw new InvalidDataException($"a server reply has more than {options.MaxReplyLines} lines");
    }

    private CancellationTokenSource Timeout(CancellationToken ct)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        source.CancelAfter(options.ReplyTimeout);
        return source;
    }
}
