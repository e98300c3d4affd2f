using Letterbox.Imap.Protocol;
using Letterbox.Store;

namespace Letterbox.Imap.Session;

/// <summary>
/// The selected mailbox as this session sees it: the sequence-number ↔ UID map, each message's
/// flags and the highest MODSEQ the session has caught up to. Other sessions' changes arrive by
/// notification and are applied by <see cref="RefreshAsync"/> when RFC 9051 §5.5 allows.
/// </summary>
internal sealed class MailboxView : IDisposable
{
    private readonly List<MessageState> _messages;
    private readonly List<uint> _pendingExpunges = [];
    private readonly IDisposable _subscription;
    // Starts "changed": a commit between LoadMailboxAsync and Subscribe is caught by the first refresh.
    private int _changed = 1;
    private Action? _wake;

    // Own writes applied without reading them back (issue 6, kept-open sessions). Every change
    // notification is counted (_heard, first thing in OnChange); a refresh that reads the store
    // first notes how many it had heard (_accounted): those commits are all in what it reads. Each
    // own write applied to the view while it was current adds one notification still to be heard
    // (_ownWrites). A refresh may skip the read only when everything heard since is that many:
    // any other commit adds a notification of its own, so the counts differ and the store is read.
    // (A foreign notification heard while an own one is still in flight is read at the next
    // refresh, which that own notification triggers.) The session thread alone touches
    // _accounted, _ownWrites, _readRequired and _existsPending.
    private long _heard;
    private long _accounted;
    private long _ownWrites;
    private bool _readRequired = true;
    private bool _existsPending;

    public MailboxView(MailboxState state, bool readOnly, IMailboxChangeNotifier notifier, string accountId)
    {
        Mailbox = state.Mailbox;
        ReadOnly = readOnly;
        UidNext = state.UidNext;
        HighestModSeq = state.HighestModSeq;
        _messages = [.. state.Messages];
        _subscription = notifier.Subscribe(accountId, state.Mailbox.Id, OnChange);
    }

    public MailboxInfo Mailbox { get; }
    public bool ReadOnly { get; }
    public uint UidNext { get; private set; }
    public ulong HighestModSeq { get; private set; }
    public int Count => _messages.Count;
    public IReadOnlyList<MessageState> Messages => _messages;

    /// <summary>SEARCHRES (RFC 5182): the UIDs saved by the last SEARCH ... SAVE.</summary>
    public IReadOnlyList<uint> SavedResult { get; set; } = [];

    /// <summary>True when another commit touched the mailbox since the last refresh.</summary>
    public bool HasChanges => Volatile.Read(ref _changed) != 0;

    /// <summary>
    /// IDLE: <paramref name="wake"/> runs (on the notifier's thread) at each change notification
    /// until it is replaced or cleared with null; it must be cheap and must not throw.
    /// </summary>
    public void WakeOnChange(Action? wake) => Volatile.Write(ref _wake, wake);

    private void OnChange()
    {
        Interlocked.Increment(ref _heard);
        Volatile.Write(ref _changed, 1);
        Volatile.Read(ref _wake)?.Invoke();
    }

    /// <summary>
    /// Forces the next refresh to ask the store: after this session's own APPEND or COPY into the
    /// selected mailbox the client knows the new UIDs (APPENDUID/COPYUID) at once, and the store
    /// may complete the write before its change notification has run.
    /// </summary>
    public void MarkChanged()
    {
        _readRequired = true;
        Volatile.Write(ref _changed, 1);
    }

    /// <summary>
    /// This session's own STORE or EXPUNGE took <paramref name="modSeq"/>, and the mailbox stood at
    /// <paramref name="modSeqBefore"/> just before it (0: not known). When that is where the view
    /// stood, nothing else changed the mailbox in between: the view (already updated by the caller)
    /// is current at <paramref name="modSeq"/> and the next refresh need not read it back.
    /// </summary>
    public void OwnWrite(ulong modSeqBefore, ulong modSeq)
    {
        if (modSeq == 0 || modSeqBefore == 0 || modSeqBefore != HighestModSeq)
        {
            // Nothing written, or something else came first: its notification makes the refresh read.
            return;
        }
        HighestModSeq = modSeq;
        _ownWrites++;
    }

    /// <summary>
    /// This session's own APPEND to the selected mailbox: added to the view (EXISTS at the next
    /// refresh, RFC 9051 §6.3.12) when the view was current just before it, else read back.
    /// </summary>
    public void OwnAppend(IReadOnlyList<AppendResult> results)
    {
        var maxUid = _messages.Count == 0 ? 0 : _messages[^1].Uid;
        var before = results.Count == 0 ? 0 : results[0].ModSeqBefore;
        if (before == 0 || before != HighestModSeq
            || results.Any(r => r.Flags is null || r.ModSeqBefore != before || r.Uid <= maxUid || r.MailboxId != Mailbox.Id))
        {
            MarkChanged();
            return;
        }
        foreach (var result in results.OrderBy(r => r.Uid))
        {
            _messages.Add(new MessageState(result.Uid, result.ModSeq, result.Flags!));
            UidNext = Math.Max(UidNext, result.Uid + 1);
            HighestModSeq = Math.Max(HighestModSeq, result.ModSeq);
        }
        _ownWrites++;
        _existsPending = true;
    }

    public uint Uid(int sequence) => _messages[sequence - 1].Uid;

    public MessageState this[int sequence] => _messages[sequence - 1];

    /// <summary>The sequence number of a UID, or 0 when it is not in the view.</summary>
    public int SequenceOf(uint uid)
    {
        int lo = 0, hi = _messages.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var u = _messages[mid].Uid;
            if (u == uid)
            {
                return mid + 1;
            }
            if (u < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return 0;
    }

    /// <summary>
    /// Resolves a sequence set or UID set to the UIDs in the view, ascending, without duplicates.
    /// "*" is the last message (RFC 9051 §9 seq-number); UIDs not in the view are skipped.
    /// </summary>
    public List<uint> Resolve(SequenceSet set, bool uid)
    {
        if (set.IsSavedResult)
        {
            return [.. SavedResult.Where(u => SequenceOf(u) != 0)];
        }
        var result = new SortedSet<uint>();
        if (_messages.Count == 0)
        {
            return [];
        }
        var maxUid = _messages[^1].Uid;
        foreach (var range in set.Ranges)
        {
            if (uid)
            {
                var a = range.Start == SequenceRange.Star ? maxUid : range.Start;
                var b = range.End == SequenceRange.Star ? maxUid : range.End;
                if (a > b)
                {
                    (a, b) = (b, a);
                }
                var from = LowerBound(a);
                for (var i = from; i < _messages.Count && _messages[i].Uid <= b; i++)
                {
                    result.Add(_messages[i].Uid);
                }
            }
            else
            {
                var a = range.Start == SequenceRange.Star ? (uint)_messages.Count : range.Start;
                var b = range.End == SequenceRange.Star ? (uint)_messages.Count : range.End;
                if (a > b)
                {
                    (a, b) = (b, a);
                }
                for (var s = Math.Max(a, 1); s <= b && s <= _messages.Count; s++)
                {
                    result.Add(_messages[(int)s - 1].Uid);
                }
            }
        }
        return [.. result];
    }

    /// <summary>
    /// True when a message-number set names a number beyond the mailbox, or "*" in an empty one
    /// (RFC 9051 §9 seq-number: tagged BAD, "This includes "*" if the selected mailbox is empty").
    /// Only for the non-UID forms: a UID set never is invalid, UIDs not in the view are skipped.
    /// </summary>
    public bool HasInvalidSequence(SequenceSet set) =>
        !set.IsSavedResult && set.Ranges.Any(r => IsInvalidNumber(r.Start) || IsInvalidNumber(r.End));

    private bool IsInvalidNumber(uint number) => number == SequenceRange.Star
        ? _messages.Count == 0
        : number == 0 || number > _messages.Count;

    private int LowerBound(uint uid)
    {
        int lo = 0, hi = _messages.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_messages[mid].Uid < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Records this session's own flag change so the later refresh does not repeat it.</summary>
    public void Apply(MessageState state)
    {
        var seq = SequenceOf(state.Uid);
        if (seq != 0)
        {
            _messages[seq - 1] = state;
        }
    }

    /// <summary>Removes a UID this session expunged; returns its former sequence number (0 if absent).</summary>
    public int Remove(uint uid)
    {
        var seq = SequenceOf(uid);
        if (seq != 0)
        {
            _messages.RemoveAt(seq - 1);
        }
        return seq;
    }

    /// <summary>
    /// Catches up with the store and writes the untagged updates: EXPUNGE, or VANISHED for a
    /// QRESYNC client (only when <paramref name="allowExpunge"/>; otherwise they wait), EXISTS, and
    /// FETCH FLAGS for messages whose flags another session changed.
    /// </summary>
    public async Task RefreshAsync(IMailAccount account, ResponseOutput output, bool allowExpunge, bool withUid, bool withModSeq, bool vanished, CancellationToken ct)
    {
        var before = _messages.Count;
        if (Interlocked.Exchange(ref _changed, 0) != 0)
        {
            var heard = Volatile.Read(ref _heard);
            if (!_readRequired && heard == _accounted + _ownWrites)
            {
                // Every notification since the last read was one of this session's own writes.
                _accounted = heard;
                _ownWrites = 0;
            }
            else
            {
                await ReadChangesAsync(account, output, withUid, withModSeq, ct).ConfigureAwait(false);
                _accounted = heard;
                _ownWrites = 0;
                _readRequired = false;
            }
        }
        if (_messages.Count != before || _existsPending)
        {
            output.Raw("* "u8).Number(_messages.Count).Raw(" EXISTS\r\n"u8);
            _existsPending = false;
        }
        if (allowExpunge && _pendingExpunges.Count > 0)
        {
            WriteExpunges(output, _pendingExpunges, vanished);
            _pendingExpunges.Clear();
        }
    }

    private async Task ReadChangesAsync(IMailAccount account, ResponseOutput output, bool withUid, bool withModSeq, CancellationToken ct)
    {
        var delta = await account.GetChangesSinceAsync(Mailbox.Id, HighestModSeq, ct).ConfigureAwait(false);
        HighestModSeq = Math.Max(HighestModSeq, delta.HighestModSeq);
        _pendingExpunges.AddRange(delta.Expunged);
        var expunged = new HashSet<uint>(_pendingExpunges);
        var maxUid = _messages.Count == 0 ? 0 : _messages[^1].Uid;
        foreach (var changed in delta.Changed)
        {
            if (expunged.Contains(changed.Uid))
            {
                continue;
            }
            var seq = SequenceOf(changed.Uid);
            if (seq != 0)
            {
                var old = _messages[seq - 1];
                _messages[seq - 1] = changed;
                if (!SameFlags(old.Flags, changed.Flags))
                {
                    WriteFlags(output, seq, changed, withUid, withModSeq);
                }
            }
            else if (changed.Uid > maxUid)
            {
                _messages.Add(changed);
                maxUid = changed.Uid;
            }
        }
        UidNext = Math.Max(UidNext, delta.UidNext);
    }

    /// <summary>
    /// Removes expunged UIDs from the view and tells the client: one "* n EXPUNGE" per message, each
    /// number valid after the previous removals (RFC 9051 §7.5.1), or for a QRESYNC client one
    /// "* VANISHED uid-set" (RFC 7162 §3.2.10.2).
    /// </summary>
    public void WriteExpunges(ResponseOutput output, IEnumerable<uint> uids, bool vanished)
    {
        var removed = new List<uint>();
        foreach (var uid in uids.Order())
        {
            var seq = Remove(uid);
            if (seq == 0)
            {
                continue;
            }
            if (vanished)
            {
                removed.Add(uid);
            }
            else
            {
                output.Raw("* "u8).Number(seq).Raw(" EXPUNGE\r\n"u8);
            }
        }
        if (removed.Count > 0)
        {
            output.Raw("* VANISHED "u8);
            output.Grammar.WriteSequenceSet(removed);
            output.Crlf();
        }
    }

    internal static void WriteFlags(ResponseOutput output, int seq, MessageState state, bool withUid, bool withModSeq)
    {
        output.Raw("* "u8).Number(seq).Raw(" FETCH (FLAGS ("u8);
        WriteFlagList(output, state.Flags);
        output.Raw(")"u8);
        if (withUid)
        {
            output.Raw(" UID "u8).Number(state.Uid);
        }
        if (withModSeq)
        {
            output.Raw(" MODSEQ ("u8).Number(state.ModSeq).Raw(")"u8);
        }
        output.Raw(")\r\n"u8);
    }

    internal static void WriteFlagList(ResponseOutput output, IReadOnlyList<string> flags)
    {
        for (var i = 0; i < flags.Count; i++)
        {
            if (i > 0)
            {
                output.Space();
            }
            output.Text(flags[i]);
        }
    }

    private static bool SameFlags(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        var set = new HashSet<string>(a, StringComparer.OrdinalIgnoreCase);
        return b.All(set.Contains);
    }

    public void Dispose() => _subscription.Dispose();
}
