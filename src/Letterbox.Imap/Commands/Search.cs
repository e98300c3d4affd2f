using System.Text;
using Letterbox.Imap.Protocol;
using Letterbox.Imap.Session;
using Letterbox.Store;

namespace Letterbox.Imap.Commands;

/// <summary>
/// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731) and SEARCHRES (RFC 5182).
/// Each key is evaluated over the stored message; only the fields the criteria need are loaded.
/// </summary>
internal static class SearchCommandHandler
{
    private const int BatchSize = 256;

    public static async Task<CommandResult> RunAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var search = (SearchCommand)command;
        var selected = (SelectedState)session.State;
        var view = selected.View;
        if (search.Charset is { } charset
            && !charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
        {
            return CommandResult.No("Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
        }
        var byModSeq = SearchEvaluator.UsesModSeq(search.Criteria);
        if (byModSeq)
        {
            // RFC 7162 §3.1: SEARCH MODSEQ is a CONDSTORE enabling command.
            session.EnableCondStore();
        }
        var evaluator = new SearchEvaluator(selected.Account, view);
        var fields = SearchEvaluator.FieldsFor(search.Criteria);
        var matches = new List<uint>();
        var all = view.Messages.Select(m => m.Uid).ToList();
        for (var start = 0; start < all.Count; start += BatchSize)
        {
            var batch = all.GetRange(start, Math.Min(BatchSize, all.Count - start));
            if (fields == MessageFields.Basic && !SearchEvaluator.NeedsRecord(search.Criteria))
            {
                foreach (var uid in batch)
                {
                    if (await evaluator.MatchesAsync(search.Criteria, uid, null, ct).ConfigureAwait(false))
                    {
                        matches.Add(uid);
                    }
                }
                continue;
            }
            var records = await selected.Account.GetMessagesAsync(view.Mailbox.Id, batch, fields, ct).ConfigureAwait(false);
            foreach (var record in records)
            {
                if (await evaluator.MatchesAsync(search.Criteria, record.Uid, record, ct).ConfigureAwait(false))
                {
                    matches.Add(record.Uid);
                }
            }
        }

        var numbers = search.Uid ? matches : [.. matches.Select(u => (uint)view.SequenceOf(u))];
        var o = session.Output;
        if (search.Return is null && !session.Rev2)
        {
            o.Raw("* SEARCH"u8);
            foreach (var n in numbers)
            {
                o.Space().Number(n);
            }
            if (byModSeq && matches.Count > 0)
            {
                // RFC 7162 §3.1.5: the highest MODSEQ of the messages returned.
                o.Raw(" (MODSEQ "u8).Number(HighestModSeq(view, matches)).Raw(")"u8);
            }
            o.Crlf();
            return CommandResult.Ok("SEARCH completed");
        }

        var options = search.Return ?? SearchReturn.None;
        var results = options & ~SearchReturn.Save;
        if (results == SearchReturn.None && !options.HasFlag(SearchReturn.Save))
        {
            // RFC 4731 §3.1: RETURN () means ALL.
            results = SearchReturn.All;
        }
        if (options.HasFlag(SearchReturn.Save))
        {
            // RFC 5182 §2.4: with MIN and/or MAX alone, only those are saved.
            view.SavedResult = matches.Count > 0 && (results & (SearchReturn.All | SearchReturn.Count)) == 0 && results != SearchReturn.None
                ? [.. new[] { results.HasFlag(SearchReturn.Min) ? matches[0] : 0u, results.HasFlag(SearchReturn.Max) ? matches[^1] : 0u }.Where(u => u != 0).Distinct()]
                : matches;
            if (results == SearchReturn.None)
            {
                return CommandResult.Ok("SEARCH completed, result saved");
            }
        }
        o.Raw("* ESEARCH (TAG "u8).String(search.Tag).Raw(")"u8);
        if (search.Uid)
        {
            o.Raw(" UID"u8);
        }
        if (numbers.Count > 0)
        {
            if (results.HasFlag(SearchReturn.Min))
            {
                o.Raw(" MIN "u8).Number(numbers.Min());
            }
            if (results.HasFlag(SearchReturn.Max))
            {
                o.Raw(" MAX "u8).Number(numbers.Max());
            }
        }
        if (results.HasFlag(SearchReturn.Count))
        {
            o.Raw(" COUNT "u8).Number(numbers.Count);
        }
        if (results.HasFlag(SearchReturn.All) && numbers.Count > 0)
        {
            o.Raw(" ALL "u8);
            o.Grammar.WriteSequenceSet([.. numbers.Order()]);
        }
        if (byModSeq && matches.Count > 0)
        {
            // RFC 7162 §3.1.5 with RFC 4731: the highest MODSEQ of the messages the result names
            // (only MIN and MAX when those are all that was asked).
            var named = (results & (SearchReturn.All | SearchReturn.Count)) != 0 ? matches : [matches[0], matches[^1]];
            o.Raw(" MODSEQ "u8).Number(HighestModSeq(view, named));
        }
        o.Crlf();
        return CommandResult.Ok("SEARCH completed");
    }

    private static ulong HighestModSeq(MailboxView view, IEnumerable<uint> uids) =>
        uids.Max(u => view[view.SequenceOf(u)].ModSeq);
}

/// <summary>Evaluates <see cref="SearchKey"/> trees over a message and the session's view of its flags.</summary>
internal sealed class SearchEvaluator(IMailAccount account, MailboxView view)
{
    private readonly Dictionary<SearchSet, HashSet<uint>> _sets = new(ReferenceEqualityComparer.Instance as IEqualityComparer<SearchSet>);
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private uint _headerUid;
    private List<KeyValuePair<string, string>>? _header;

    /// <summary>Whether the criteria contain a MODSEQ key (RFC 7162 §3.1.5).</summary>
    public static bool UsesModSeq(SearchKey key) => key switch
    {
        SearchModSeq => true,
        SearchAnd and => and.Keys.Any(UsesModSeq),
        SearchOr or => UsesModSeq(or.Left) || UsesModSeq(or.Right),
        SearchNot not => UsesModSeq(not.Key),
        _ => false,
    };

    /// <summary>The stored fields the criteria read (SearchText for BODY/TEXT, Envelope for SENT*, Structure for headers).</summary>
    public static MessageFields FieldsFor(SearchKey key) => key switch
    {
        SearchAnd and => and.Keys.Aggregate(MessageFields.Basic, (f, k) => f | FieldsFor(k)),
        SearchOr or => FieldsFor(or.Left) | FieldsFor(or.Right),
        SearchNot not => FieldsFor(not.Key),
        SearchText => MessageFields.SearchText,
        SearchDate { Field: SearchDateField.Sent } => MessageFields.Envelope,
        SearchHeader => MessageFields.Structure,
        _ => MessageFields.Basic,
    };

    /// <summary>True when a criterion needs the stored record (dates, sizes), not only the view's flags and numbers.</summary>
    public static bool NeedsRecord(SearchKey key) => key switch
    {
        SearchAnd and => and.Keys.Any(NeedsRecord),
        SearchOr or => NeedsRecord(or.Left) || NeedsRecord(or.Right),
        SearchNot not => NeedsRecord(not.Key),
        SearchAll or SearchFlag or SearchSet or SearchModSeq or SearchSaveDateSupported or SearchObjectId { Thread: true } => false,
        _ => true,
    };

    public async ValueTask<bool> MatchesAsync(SearchKey key, uint uid, MessageRecord? record, CancellationToken ct)
    {
        switch (key)
        {
            case SearchAll:
                return true;
            case SearchAnd and:
                foreach (var k in and.Keys)
                {
                    if (!await MatchesAsync(k, uid, record, ct).ConfigureAwait(false))
                    {
                        return false;
                    }
                }
                return true;
            case SearchOr or:
                return await MatchesAsync(or.Left, uid, record, ct).ConfigureAwait(false)
                    || await MatchesAsync(or.Right, uid, record, ct).ConfigureAwait(false);
            case SearchNot not:
                return !await MatchesAsync(not.Key, uid, record, ct).ConfigureAwait(false);
            case SearchFlag flag:
                if (flag.Flag.Equals("\\Recent", StringComparison.OrdinalIgnoreCase))
                {
                    // Letterbox never sets \Recent (RFC 9051 removed it).
                    return !flag.Set;
                }
                var state = view[view.SequenceOf(uid)];
                return state.Flags.Contains(flag.Flag, StringComparer.OrdinalIgnoreCase) == flag.Set;
            case SearchSet set:
                if (!_sets.TryGetValue(set, out var members))
                {
                    members = [.. view.Resolve(set.Set, set.Uid)];
                    _sets[set] = members;
                }
                return members.Contains(uid);
            case SearchModSeq modSeq:
                return view[view.SequenceOf(uid)].ModSeq >= modSeq.ModSeq;
            case SearchSaveDateSupported:
                // RFC 8514 §4: every Letterbox mailbox keeps save dates.
                return true;
            case SearchObjectId { Thread: true }:
                // THREADID is not assigned (FETCH answers THREADID NIL), so no message matches.
                return false;
        }
        if (record is null)
        {
            return false;
        }
        switch (key)
        {
            case SearchSize size:
                return size.Larger ? record.Size > size.Size : record.Size < size.Size;
            case SearchWithin within:
                var age = _now - record.InternalDate;
                return within.Older ? age.TotalSeconds >= within.Seconds : age.TotalSeconds <= within.Seconds;
            case SearchDate date:
                DateTimeOffset? when = date.Field switch
                {
                    SearchDateField.Internal => record.InternalDate,
                    SearchDateField.Saved => record.SaveDate,
                    _ => record.Envelope?.SentDate,
                };
                if (when is not { } w)
                {
                    return false;
                }
                // RFC 9051 §6.4.4: dates disregard time and timezone.
                var day = DateOnly.FromDateTime(w.DateTime);
                return date.Comparison switch
                {
                    SearchDateComparison.Before => day < date.Date,
                    SearchDateComparison.On => day == date.Date,
                    _ => day >= date.Date,
                };
            case SearchObjectId objectId:
                return string.Equals(record.EmailId, objectId.Id, StringComparison.Ordinal);
            case SearchText text:
                if (record.SearchText is not { } searchText)
                {
                    return false;
                }
                // The stored search text is the decoded header fields, a blank line, then the decoded
                // text parts: BODY looks only after the blank line, TEXT at everything.
                var haystack = searchText.AsSpan();
                if (!text.IncludeHeaders)
                {
                    var blank = searchText.IndexOf("\n\n", StringComparison.Ordinal);
                    haystack = blank < 0 ? [] : haystack[(blank + 2)..];
                }
                return haystack.Contains(text.Value.AsSpan(), StringComparison.OrdinalIgnoreCase);
            case SearchHeader header:
                var fields = await HeaderAsync(record, ct).ConfigureAwait(false);
                foreach (var (name, value) in fields)
                {
                    if (name.Equals(header.Field, StringComparison.OrdinalIgnoreCase)
                        && (header.Value.Length == 0 || value.Contains(header.Value, StringComparison.OrdinalIgnoreCase)))
                    {
                        return true;
                    }
                }
                return false;
        }
        return false;
    }

    /// <summary>The message's header fields, unfolded and RFC 2047-decoded, read once per message.</summary>
    private async ValueTask<List<KeyValuePair<string, string>>> HeaderAsync(MessageRecord record, CancellationToken ct)
    {
        if (_header is not null && _headerUid == record.Uid)
        {
            return _header;
        }
        var length = record.Structure?.HeaderLength ?? Math.Min(record.Size, 64 * 1024);
        var bytes = await MessageSections.ReadAsync(account, record, 0, length, ct).ConfigureAwait(false);
        _header = ParseHeader(bytes);
        _headerUid = record.Uid;
        return _header;
    }

    internal static List<KeyValuePair<string, string>> ParseHeader(byte[] bytes)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var text = Encoding.UTF8.GetString(bytes);
        string? name = null;
        var value = new StringBuilder();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }
            if (line[0] is ' ' or '\t')
            {
                value.Append(line);
                continue;
            }
            Flush();
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                name = null;
                continue;
            }
            name = line[..colon].Trim();
            value.Clear().Append(line[(colon + 1)..]);
        }
        Flush();
        return fields;

        void Flush()
        {
            if (name is not null)
            {
                var raw = value.ToString().Trim();
                fields.Add(new(name, MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(raw))));
                name = null;
            }
        }
    }
}
