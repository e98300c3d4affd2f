using System.Net;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Store;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Smtp;

/// <summary>A raw SMTP/LMTP client over a real socket for transcript tests (exact bytes, pipelining, STARTTLS injection).</summary>
public sealed class SmtpWire : IAsyncDisposable
{
    private SmtpWire(RawImapClient raw) => Raw = raw;

    public RawImapClient Raw { get; }
    public string Greeting { get; private set; } = "";

    public static async Task<SmtpWire> ConnectAsync(IPEndPoint endPoint)
    {
        var wire = new SmtpWire(await RawImapClient.ConnectAsync(endPoint));
        wire.Greeting = await wire.Raw.ReadLineAsync() ?? throw new IOException("no greeting");
        return wire;
    }

    public Task SendAsync(string text) => Raw.SendAsync(text);

    /// <summary>Reads one reply, all its lines ("250-..." up to "250 ...").</summary>
    public async Task<List<string>> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await Raw.ReadLineAsync() ?? throw new IOException("connection closed after: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ')
            {
                return lines;
            }
        }
    }

    /// <summary>Sends one command and returns the last line of its reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await Raw.SendAsync(line + "\r\n");
        return (await ReadReplyAsync())[^1];
    }

    /// <summary>Sends the message (already dot-stuffed, without the final dot) and the end of data.</summary>
    public async Task<string> DataAsync(string content)
    {
        Assert.StartsWith("354 ", await CommandAsync("DATA"), StringComparison.Ordinal);
        await Raw.SendAsync(content + ".\r\n");
        return (await ReadReplyAsync())[^1];
    }

    public ValueTask DisposeAsync() => Raw.DisposeAsync();
}

/// <summary>The in-process server with SMTP and LMTP on port 0, and what a delivery left in the store.</summary>
public static class SmtpServers
{
    public static Task<TestServer> StartAsync(Action<LetterboxOptions>? configure = null) => TestServer.StartAsync(o =>
    {
        o.Smtp.MaxErrors = 5;
        configure?.Invoke(o);
    });

    /// <summary>The messages in one of the user's mailboxes, as stored (full text), in UID order.</summary>
    public static async Task<List<string>> MessagesAsync(this TestServer server, string user, string mailbox = "INBOX")
    {
        var record = await server.Server.Directory.FindUserAsync(user) ?? throw new InvalidOperationException("no user " + user);
        await using var account = await server.Server.Store.OpenAccountAsync(record);
        var box = (await account.GetMailboxAsync(mailbox))!;
        var state = await account.LoadMailboxAsync(box.Id);
        var messages = await account.GetMessagesAsync(box.Id, state.Messages.Select(m => m.Uid).ToArray(), MessageFields.Basic);
        var texts = new List<string>();
        foreach (var message in messages)
        {
            await using var content = account.OpenContent(message);
            using var reader = new StreamReader(content);
            texts.Add(await reader.ReadToEndAsync());
        }
        return texts;
    }

    public static async Task AddAliasAsync(this TestServer server, string alias, string target)
        => await server.Server.Directory.AddAliasAsync(EmailAddress.Parse(alias), EmailAddress.Parse(target));
}
