using System.Net;

namespace Letterbox.Bench;

/// <summary>An LMTP client (RFC 2033) for loading mailboxes and for the delivery scenario.</summary>
internal sealed class LmtpClient : IAsyncDisposable
{
    private readonly Wire _wire;

    private LmtpClient(Wire wire) => _wire = wire;

    public static async Task<LmtpClient> ConnectAsync(IPEndPoint endPoint, CancellationToken ct = default)
    {
        var wire = await Wire.ConnectAsync(endPoint, ct).ConfigureAwait(false);
        var client = new LmtpClient(wire);
        await client.ExpectAsync("220", ct).ConfigureAwait(false);
        await wire.SendAsync("LHLO bench.example.test\r\n").ConfigureAwait(false);
        await client.ExpectAsync("250", ct).ConfigureAwait(false);
        return client;
    }

    /// <summary>Delivers one dot-stuffed message to one recipient; returns when the server said 250 for it.</summary>
    public async Task DeliverAsync(string recipient, ReadOnlyMemory<byte> stuffed, Action? dataSent = null, CancellationToken ct = default)
    {
        // RFC 2920 pipelining of MAIL and RCPT (both servers advertise PIPELINING).
        await _wire.SendAsync($"MAIL FROM:<bench@example.net>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n").ConfigureAwait(false);
        await ExpectAsync("250", ct).ConfigureAwait(false);
        await ExpectAsync("250", ct).ConfigureAwait(false);
        await ExpectAsync("354", ct).ConfigureAwait(false);
        _wire.Buffer(stuffed.Span);
        _wire.Buffer(".\r\n"u8);
        // Timed before the flush: the push it causes may arrive before FlushAsync returns.
        dataSent?.Invoke();
        await _wire.FlushAsync().ConfigureAwait(false);
        await ExpectAsync("250", ct).ConfigureAwait(false);
    }

    private async Task ExpectAsync(string code, CancellationToken ct)
    {
        while (true)
        {
            var line = await _wire.ReadLineAsync(ct).ConfigureAwait(false);
            if (!line.StartsWith(code, StringComparison.Ordinal))
            {
                throw new IOException($"LMTP: expected {code}, got: {line}");
            }
            if (line.Length <= 3 || line[3] == ' ')
            {
                return;
            }
        }
    }

    /// <summary>RFC 5321 §4.5.2 transparency: a line starting with "." gets another; ends in CRLF.</summary>
    public static byte[] DotStuff(byte[] message)
    {
        var output = new List<byte>(message.Length + 16);
        var lineStart = true;
        foreach (var b in message)
        {
            if (lineStart && b == '.')
            {
                output.Add((byte)'.');
            }
            output.Add(b);
            lineStart = b == '\n';
        }
        if (!lineStart)
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }
        return output.ToArray();
    }

    public async Task QuitAsync()
    {
        await _wire.SendAsync("QUIT\r\n").ConfigureAwait(false);
        try
        {
            await _wire.ReadLineAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await _wire.DisposeAsync().ConfigureAwait(false);
}
