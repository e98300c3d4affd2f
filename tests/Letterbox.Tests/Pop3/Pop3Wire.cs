using System.Net;
using System.Text;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>A raw POP3 client over a real socket for transcript tests (exact bytes, pipelining, STLS injection).</summary>
public sealed class Pop3Wire : IAsyncDisposable
{
    private Pop3Wire(RawImapClient raw) => Raw = raw;

    public RawImapClient Raw { get; }
    public string Greeting { get; private set; } = "";

    public static async Task<Pop3Wire> ConnectAsync(IPEndPoint endPoint, bool implicitTls = false, string? ca = null)
    {
        var wire = new Pop3Wire(await RawImapClient.ConnectAsync(endPoint, implicitTls, ca));
        wire.Greeting = await wire.Raw.ReadLineAsync() ?? throw new IOException("no greeting");
        return wire;
    }

    public Task SendAsync(string text) => Raw.SendAsync(text);

    public Task<string?> ReadLineAsync() => Raw.ReadLineAsync();

    /// <summary>Sends one command and returns the status line.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await Raw.SendAsync(line + "\r\n");
        return await Raw.ReadLineAsync() ?? throw new IOException($"connection closed after {line}");
    }

    /// <summary>Reads the lines of a multi-line response up to (not including) ".", with dot-stuffing undone.</summary>
    public async Task<List<string>> ReadBodyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await Raw.ReadLineAsync() ?? throw new IOException("connection closed inside a multi-line response: " + string.Join(" | ", lines));
            if (line == ".")
            {
                return lines;
            }
            lines.Add(line.StartsWith('.') ? line[1..] : line);
        }
    }

    /// <summary>Sends a command that answers multi-line; asserts +OK and returns the body.</summary>
    public async Task<List<string>> MultiAsync(string line)
    {
        var status = await CommandAsync(line);
        Assert.StartsWith("+OK", status, StringComparison.Ordinal);
        return await ReadBodyAsync();
    }

    public async Task LoginAsync(string user, string password)
    {
        Assert.StartsWith("+OK", await CommandAsync("USER " + user), StringComparison.Ordinal);
        var status = await CommandAsync("PASS " + password);
        Assert.StartsWith("+OK", status, StringComparison.Ordinal);
    }

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public ValueTask DisposeAsync() => Raw.DisposeAsync();
}
