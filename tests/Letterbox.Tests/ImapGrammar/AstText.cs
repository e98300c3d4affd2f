using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

/// <summary>A compact, deterministic text of a parsed command, so parser tables can state expectations in one string.</summary>
internal static class AstText
{
    public static string Of(ParseResult result)
        => result.Command is { } command ? Of(command) : $"{(result.IsBad ? "BAD" : "NO")} {result.Tag}: {result.ErrorText}";

    public static string Of(ImapCommand command)
    {
        string head = (command.Uid ? "UID " : "") + command.Name.ToString().ToUpperInvariant();
        string body = command switch
        {
            LoginCommand c => $"{c.UserName}|{c.Password}",
            AuthenticateCommand c => $"{c.Mechanism} {(c.InitialResponse is null ? "-" : $"[{c.InitialResponse}]")}",
            EnableCommand c => string.Join(' ', c.Capabilities),
            SelectCommand c => $"{c.Mailbox} ({string.Join(' ', c.ParameterValues.Select(p => p.Value is null ? p.Name : $"{p.Name}={p.Value}"))})",
            MailboxCommand c => c.SpecialUse is null ? c.Mailbox : $"{c.Mailbox} USE({string.Join(' ', c.SpecialUse)})",
            RenameCommand c => $"{c.From} -> {c.To}",
            ListCommand c => $"ref={c.Reference} pat=[{string.Join('|', c.Patterns)}] sel={c.Selection} ret={c.Return} status=[{string.Join(' ', c.StatusItems)}]",
            StatusCommand c => $"{c.Mailbox} [{string.Join(' ', c.Items)}]",
            AppendCommand c => $"{c.Mailbox} " + string.Join(" + ", c.Messages.Select(Of)),
            SearchCommand c => $"{(c.Charset is null ? "" : $"charset={c.Charset} ")}{(c.Return is null ? "" : $"return={c.Return} ")}{Of(c.Criteria)}",
            FetchCommand c => $"{Of(c.Set)} [{string.Join(' ', c.Items.Select(Of))}]{(c.ChangedSince is null ? "" : $" changedsince={c.ChangedSince}")}{(c.Vanished ? " vanished" : "")}",
            StoreCommand c => $"{Of(c.Set)} {c.Operation}{(c.Silent ? " silent" : "")} ({string.Join(' ', c.Flags)}){(c.UnchangedSince is null ? "" : $" unchangedsince={c.UnchangedSince}")}",
            CopyCommand c => $"{Of(c.Set)} {c.Mailbox}",
            ExpungeCommand c => c.Set is null ? "" : Of(c.Set),
            IdCommand c => c.Fields is null ? "NIL" : string.Join(' ', c.Fields.Select(f => $"{f.Key}={f.Value ?? "NIL"}")),
            _ => "",
        };
        return $"{command.Tag} {head}" + (body.Length > 0 ? " " + body : "");
    }

    private static string Of(AppendMessage m)
    {
        using var s = m.Content.OpenRead();
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        return $"{(m.Flags is null ? "" : $"({string.Join(' ', m.Flags)}) ")}{(m.InternalDate is { } d ? d.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) + " " : "")}{(m.Binary ? "~" : "")}<{Encoding.UTF8.GetString(copy.ToArray())}>";
    }

    public static string Of(SequenceSet set)
        => set.IsSavedResult ? "$" : string.Join(',', set.Ranges.Select(r => r.Start == r.End ? N(r.Start) : $"{N(r.Start)}:{N(r.End)}"));

    private static string N(uint n) => n == SequenceRange.Star ? "*" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Of(SearchKey key) => key switch
    {
        SearchAll => "ALL",
        SearchAnd a => "(" + string.Join(' ', a.Keys.Select(Of)) + ")",
        SearchOr o => $"OR({Of(o.Left)},{Of(o.Right)})",
        SearchNot n => $"NOT({Of(n.Key)})",
        SearchFlag f => (f.Set ? "+" : "-") + f.Flag,
        SearchDate d => $"{d.Field}{d.Comparison}:{d.Date:yyyy-MM-dd}",
        SearchSize s => (s.Larger ? ">" : "<") + s.Size,
        SearchHeader h => $"{h.Field}~'{h.Value}'",
        SearchText t => $"{(t.IncludeHeaders ? "TEXT" : "BODY")}~'{t.Value}'",
        SearchSet s => (s.Uid ? "UID " : "") + Of(s.Set),
        SearchWithin w => (w.Older ? "OLDER " : "YOUNGER ") + w.Seconds,
        SearchModSeq m => "MODSEQ " + m.ModSeq,
        SearchSaveDateSupported => "SAVEDATESUPPORTED",
        SearchObjectId o => (o.Thread ? "THREADID " : "EMAILID ") + o.Id,
        _ => "?",
    };

    public static string Of(FetchItem item) => item switch
    {
        FetchSimple s => s.Attribute.ToString(),
        FetchSection s => $"{(s.Binary ? "BINARY" : "BODY")}{(s.Peek ? ".PEEK" : "")}[{Of(s.Section)}]{(s.PartialOffset is null ? "" : $"<{s.PartialOffset}.{s.PartialLength}>")}",
        FetchBinarySize b => $"BINARY.SIZE[{string.Join('.', b.Part)}]",
        _ => "?",
    };

    private static string Of(SectionSpec s)
    {
        var parts = string.Join('.', s.Part);
        var text = s.Text switch
        {
            SectionText.None => "",
            SectionText.HeaderFields => $"HEADER.FIELDS ({string.Join(' ', s.Fields)})",
            SectionText.HeaderFieldsNot => $"HEADER.FIELDS.NOT ({string.Join(' ', s.Fields)})",
            _ => s.Text.ToString().ToUpperInvariant(),
        };
        return parts.Length > 0 && text.Length > 0 ? parts + "." + text : parts + text;
    }
}
