using System.Net;
using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Core.Security;
using Letterbox.Store;
using Letterbox.Tests.Integration;

namespace Letterbox.Tests.Pop3;

/// <summary>
/// A real in-process server (<see cref="TestServer"/>, every listener on port 0) with the test
/// user's password hashed cheaply, and helpers to deliver and inspect INBOX through the store contract.
/// </summary>
public sealed class Pop3TestServer : IAsyncDisposable
{
    private Pop3TestServer(TestServer inner) => Inner = inner;

    public TestServer Inner { get; }
    public string User => Inner.User;
    public static string Password => TestServer.Password;
    public IPEndPoint Pop3 => Inner.Pop3;
    public IPEndPoint Pop3s => Inner.Pop3s;
    public string CertificatePath => Inner.CertificatePath;

    public static async Task<Pop3TestServer> StartAsync(Action<LetterboxOptions>? configure = null)
    {
        var inner = await TestServer.StartAsync(configure);
        await inner.Server.Directory.SetPasswordHashAsync(EmailAddress.Parse(inner.User), CheapHash(TestServer.Password));
        return new Pop3TestServer(inner);
    }

    /// <summary>Argon2id with tiny parameters: the verification path is the real one, only cheaper.</summary>
    public static string CheapHash(string password) => PasswordHasher.Hash(password, new Argon2Parameters(1024, 1, 1));

    public async Task AddUserAsync(string address)
    {
        var parsed = EmailAddress.Parse(address);
        if (!await Inner.Server.Directory.IsLocalDomainAsync(parsed.Domain))
        {
            await Inner.Server.Directory.AddDomainAsync(parsed.Domain);
        }
        await Inner.Server.Directory.AddUserAsync(parsed, CheapHash(Password));
    }

    public async Task<IMailAccount> OpenAccountAsync(string? user = null)
    {
        var record = await Inner.Server.Directory.FindUserAsync(user ?? User) ?? throw new InvalidOperationException("no user");
        return await Inner.Server.Store.OpenAccountAsync(record);
    }

    /// <summary>Appends messages to INBOX as a delivery would; returns their UIDs.</summary>
    public async Task<uint[]> DeliverAsync(params byte[][] messages)
    {
        await using var account = await OpenAccountAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var results = await account.AppendAsync(inbox.Id, messages.Select(m => new NewMessage(new MemoryStream(m), [], null)).ToList());
        return results.Select(r => r.Uid).ToArray();
    }

    /// <summary>INBOX's messages now, ordered by UID.</summary>
    public async Task<IReadOnlyList<MessageRecord>> InboxAsync()
    {
        await using var account = await OpenAccountAsync();
        var inbox = (await account.GetMailboxAsync("INBOX"))!;
        var state = await account.LoadMailboxAsync(inbox.Id);
        return await account.GetMessagesAsync(inbox.Id, state.Messages.Select(m => m.Uid).ToArray(), MessageFields.Basic);
    }

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
