using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;

namespace Letterbox.Imap.Commands;

/// <summary>APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), UIDPLUS APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).</summary>
internal static class AppendCommandHandler
{
    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var append = (AppendCommand)command;
        var streams = new List<Stream>();
        try
        {
            var account = ((AuthenticatedState)session.State).Account;
            var name = session.MailboxName(append.Mailbox);
            if (name is null)
            {
                return CommandResult.Bad("Mailbox name is not valid modified UTF-7");
            }
            var mailbox = await account.GetMailboxAsync(name, ct).ConfigureAwait(false);
            if (mailbox is null)
            {
                // RFC 9051 §6.3.12: TRYCREATE tells the client that CREATE may help.
                return CommandResult.No("No such mailbox", "TRYCREATE");
            }
            var messages = new List<NewMessage>(append.Messages.Count);
            foreach (var message in append.Messages)
            {
                if (message.Content.Length > session.Options.Limits.MaxMessageSize)
                {
                    return CommandResult.No("Message too large", "TOOBIG");
                }
                if (message.Content.Length == 0)
                {
                    return CommandResult.No("Empty message", "CANNOT");
                }
                var flags = (message.Flags ?? []).Where(f => !f.Equals("\\Recent", StringComparison.OrdinalIgnoreCase)).ToList();
                var stream = message.Content.OpenRead();
                streams.Add(stream);
                messages.Add(new NewMessage(stream, flags, message.InternalDate));
            }
            var results = await account.AppendAsync(mailbox.Id, messages, ct).ConfigureAwait(false);
            if (session.State is SelectedState selected && selected.View.Mailbox.Id == mailbox.Id)
            {
                // The client knows the new UIDs at once (APPENDUID); EXISTS follows in this
                // command's refresh, from the results when the view was current, else read back.
                selected.View.OwnAppend(results);
            }
            if (results.Count == 0)
            {
                return CommandResult.Ok("APPEND completed");
            }
            var uids = results.Select(r => r.Uid).ToList();
            return CommandResult.Ok("APPEND completed", $"APPENDUID {results[0].UidValidity} {UidSetText.Format(uids)}");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            foreach (var message in append.Messages)
            {
                message.Content.Dispose();
            }
        }
    }
}
