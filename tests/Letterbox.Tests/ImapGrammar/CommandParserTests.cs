using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class CommandParserTests
{
    /// <summary>Wire input (literals included) and the expected parse, in <see cref="AstText"/> form.</summary>
    public static TheoryData<string, string> Good => new()
    {
        { "a CAPABILITY\r\n", "a CAPABILITY" },
        { "a noop\r\n", "a NOOP" },
        { "a LOGOUT\n", "a LOGOUT" },
        { "a STARTTLS\r\n", "a STARTTLS" },
        { "a NAMESPACE\r\n", "a NAMESPACE" },
        { "a IDLE\r\n", "a IDLE" },
        { "a CHECK\r\n", "a CHECK" },
        { "a CLOSE\r\n", "a CLOSE" },
        { "a UNSELECT\r\n", "a UNSELECT" },
        { "a EXPUNGE\r\n", "a EXPUNGE" },
        { "a UID EXPUNGE 3:5,7\r\n", "a UID EXPUNGE 3:5,7" },
        { "a AUTHENTICATE PLAIN\r\n", "a AUTHENTICATE PLAIN -" },
        { "a authenticate plain AGZvbwBiYXI=\r\n", "a AUTHENTICATE PLAIN [AGZvbwBiYXI=]" },
        { "a AUTHENTICATE EXTERNAL =\r\n", "a AUTHENTICATE EXTERNAL []" },
        { "a LOGIN joe@example.com secret\r\n", "a LOGIN joe@example.com|secret" },
        { "a LOGIN \"joe\" \"se \\\"cr\\\\et\"\r\n", "a LOGIN joe|se \"cr\\et" },
        { "a LOGIN {3}\r\njoe {6}\r\nsecret\r\n", "a LOGIN joe|secret" },
        { "a LOGIN {3+}\r\njoe {6+}\r\nsecret\r\n", "a LOGIN joe|secret" },
        { "a LOGIN joe \"pässwörd\"\r\n", "a LOGIN joe|pässwörd" },
        { "a LOGIN {0}\r\n {0}\r\n\r\n", "a LOGIN |" },
        { "a ENABLE CONDSTORE utf8=accept\r\n", "a ENABLE CONDSTORE UTF8=ACCEPT" },
        { "a SELECT inbox\r\n", "a SELECT INBOX ()" },
        { "a EXAMINE \"Sent Items\"\r\n", "a EXAMINE Sent Items ()" },
        { "a SELECT INBOX (CONDSTORE)\r\n", "a SELECT INBOX (CONDSTORE)" },
        { "a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n", "a SELECT INBOX (QRESYNC=(67890007 20050715194045000 41,43:211,214:541))" },
        { "a CREATE Archive/2024\r\n", "a CREATE Archive/2024" },
        { "a CREATE MySent (USE (\\Sent))\r\n", "a CREATE MySent USE(\\Sent)" },
        { "a DELETE foo\r\n", "a DELETE foo" },
        { "a SUBSCRIBE &AOQ-\r\n", "a SUBSCRIBE &AOQ-" },
        { "a UNSUBSCRIBE {3}\r\nfoo\r\n", "a UNSUBSCRIBE foo" },
        { "a RENAME old \"new one\"\r\n", "a RENAME old -> new one" },
        { "a LIST \"\" *\r\n", "a LIST ref= pat=[*] sel=None ret=None status=[]" },
        { "a LIST \"\" %/foo]\r\n", "a LIST ref= pat=[%/foo]] sel=None ret=None status=[]" },
        { "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent*\") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN) MYRIGHTS SUBSCRIBED)\r\n",
            "a LIST ref= pat=[INBOX|Sent*] sel=Subscribed, RecursiveMatch ret=Subscribed, Children, SpecialUse, Status, MyRights status=[Messages Unseen]" },
        { "a LIST (SPECIAL-USE) \"\" *\r\n", "a LIST ref= pat=[*] sel=SpecialUse ret=None status=[]" },
        { "a LIST () \"\" % RETURN ()\r\n", "a LIST ref= pat=[%] sel=None ret=None status=[]" },
        { "a LSUB \"\" *\r\n", "a LSUB ref= pat=[*] sel=None ret=None status=[]" },
        { "a STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID RECENT)\r\n",
            "a STATUS INBOX [Messages UidNext UidValidity Unseen Deleted Size HighestModSeq AppendLimit MailboxId Recent]" },
        { "a APPEND INBOX {5}\r\nhello\r\n", "a APPEND INBOX <hello>" },
        { "a APPEND INBOX (\\Seen $Junk) \"09-Jan-2024 08:05:03 +0100\" {5+}\r\nhello\r\n", "a APPEND INBOX (\\Seen $Junk) 2024-01-09T08:05:03+01:00 <hello>" },
        { "a APPEND INBOX \" 9-Jan-2024 08:05:03 -0530\" {2}\r\nhi\r\n", "a APPEND INBOX 2024-01-09T08:05:03-05:30 <hi>" },
        { "a APPEND Drafts () ~{3}\r\na\0b\r\n", "a APPEND Drafts () ~<a\0b>" },
        { "a APPEND INBOX (\\seen) {2}\r\nm1 (\\Flagged) {2}\r\nm2 {2}\r\nm3\r\n", "a APPEND INBOX (\\Seen) <m1> + (\\Flagged) <m2> + <m3>" },
        { "a APPEND INBOX {4}\r\n\r\n\r\n\r\n", "a APPEND INBOX <\r\n\r\n>" },
        { "a SEARCH ALL\r\n", "a SEARCH ALL" },
        { "a UID SEARCH UNSEEN FROM joe\r\n", "a UID SEARCH (-\\Seen From~'joe')" },
        { "a SEARCH CHARSET UTF-8 SUBJECT \"Grüße\"\r\n", "a SEARCH charset=UTF-8 Subject~'Grüße'" },
        { "a SEARCH CHARSET utf-8 TEXT {7}\r\nGrüße\r\n", "a SEARCH charset=UTF-8 TEXT~'Grüße'" },
        { "a SEARCH RETURN (MIN MAX COUNT) FLAGGED\r\n", "a SEARCH return=Min, Max, Count +\\Flagged" },
        { "a SEARCH RETURN () 1:*\r\n", "a SEARCH return=None 1:*" },
        { "a SEARCH RETURN (SAVE) CHARSET US-ASCII DELETED\r\n", "a SEARCH charset=US-ASCII return=Save +\\Deleted" },
        { "a SEARCH $\r\n", "a SEARCH $" },
        { "a SEARCH UID 1:5,9,20:* NOT DELETED\r\n", "a SEARCH (UID 1:5,9,20:* NOT(+\\Deleted))" },
        { "a SEARCH OR (ANSWERED FLAGGED) (DRAFT SEEN) UNDRAFT\r\n", "a SEARCH (OR((+\\Answered +\\Flagged),(+\\Draft +\\Seen)) -\\Draft)" },
        { "a SEARCH NEW OLD RECENT UNANSWERED UNDELETED UNFLAGGED\r\n", "a SEARCH ((+\\Recent -\\Seen) -\\Recent +\\Recent -\\Answered -\\Deleted -\\Flagged)" },
        { "a SEARCH KEYWORD $Junk UNKEYWORD $NotJunk\r\n", "a SEARCH (+$Junk -$NotJunk)" },
        { "a SEARCH BEFORE 1-Feb-2024 ON \"15-mar-2023\" SINCE 29-Feb-2024\r\n", "a SEARCH (InternalBefore:2024-02-01 InternalOn:2023-03-15 InternalSince:2024-02-29)" },
        { "a SEARCH SENTBEFORE 1-Jan-2000 SENTON 2-Jan-2000 SENTSINCE 3-Jan-2000\r\n", "a SEARCH (SentBefore:2000-01-01 SentOn:2000-01-02 SentSince:2000-01-03)" },
        { "a SEARCH LARGER 1000 SMALLER 9223372036854775807\r\n", "a SEARCH (>1000 <9223372036854775807)" },
        { "a SEARCH HEADER X-Mailer \"\" BODY hello TO a CC b BCC c\r\n", "a SEARCH (X-Mailer~'' BODY~'hello' To~'a' Cc~'b' Bcc~'c')" },
        { "a SEARCH OLDER 3600 YOUNGER 60\r\n", "a SEARCH (OLDER 3600 YOUNGER 60)" },
        { "a SEARCH MODSEQ 620162338\r\n", "a SEARCH MODSEQ 620162338" },
        { "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n", "a SEARCH MODSEQ 620162338" },
        { "a SEARCH ((((SEEN))))\r\n", "a SEARCH +\\Seen" },
        { "a SEARCH 2,4:6 NOT (OR SEEN 1)\r\n", "a SEARCH (2,4:6 NOT(OR(+\\Seen,1)))" },
        { "a SEARCH SAVEDBEFORE 1-Jan-2020 SAVEDON 2-Jan-2020 SAVEDSINCE 3-Jan-2020 SAVEDATESUPPORTED\r\n",
            "a SEARCH (SavedBefore:2020-01-01 SavedOn:2020-01-02 SavedSince:2020-01-03 SAVEDATESUPPORTED)" },
        { "a SEARCH EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9\r\n", "a SEARCH (EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9)" },
        { "a FETCH 1 ALL\r\n", "a FETCH 1 [Flags InternalDate Rfc822Size Envelope]" },
        { "a FETCH 1:* fast\r\n", "a FETCH 1:* [Flags InternalDate Rfc822Size]" },
        { "a FETCH * FULL\r\n", "a FETCH * [Flags InternalDate Rfc822Size Envelope Body]" },
        { "a FETCH 1 FLAGS\r\n", "a FETCH 1 [Flags]" },
        { "a UID FETCH 1:*,4 (UID FLAGS ENVELOPE BODYSTRUCTURE BODY INTERNALDATE RFC822.SIZE MODSEQ EMAILID THREADID SAVEDATE RFC822 RFC822.HEADER RFC822.TEXT)\r\n",
            "a UID FETCH 1:*,4 [Uid Flags Envelope BodyStructure Body InternalDate Rfc822Size ModSeq EmailId ThreadId SaveDate Rfc822 Rfc822Header Rfc822Text]" },
        { "a FETCH 2 (BODY[] BODY.PEEK[HEADER] BODY[TEXT] BODY[1] BODY[1.2.3] BODY[1.MIME] BODY[2.TEXT] BODY[2.HEADER])\r\n",
            "a FETCH 2 [BODY[] BODY.PEEK[HEADER] BODY[TEXT] BODY[1] BODY[1.2.3] BODY[1.MIME] BODY[2.TEXT] BODY[2.HEADER]]" },
        { "a FETCH 2 (BODY.PEEK[HEADER.FIELDS (From To \"Subject\")] BODY[1.2.HEADER.FIELDS.NOT (Received)]<0.100>)\r\n",
            "a FETCH 2 [BODY.PEEK[HEADER.FIELDS (From To Subject)] BODY[1.2.HEADER.FIELDS.NOT (Received)]<0.100>]" },
        { "a FETCH 3 body.peek[]<1024.2048>\r\n", "a FETCH 3 [BODY.PEEK[]<1024.2048>]" },
        { "a FETCH 3 (BINARY[1] BINARY.PEEK[]<0.10> BINARY.SIZE[2.1] BINARY.SIZE[])\r\n", "a FETCH 3 [BINARY[1] BINARY.PEEK[]<0.10> BINARY.SIZE[2.1] BINARY.SIZE[]]" },
        { "a FETCH 1:5 (FLAGS) (CHANGEDSINCE 12345)\r\n", "a FETCH 1:5 [Flags] changedsince=12345" },
        { "a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", "a UID FETCH 1:* [Flags] changedsince=12345 vanished" },
        { "a FETCH $ (UID)\r\n", "a FETCH $ [Uid]" },
        { "a FETCH 4294967294:2 UID\r\n", "a FETCH 4294967294:2 [Uid]" },
        { "a STORE 1 +FLAGS (\\Seen)\r\n", "a STORE 1 Add (\\Seen)" },
        { "a UID STORE 1:3 -FLAGS.SILENT \\Deleted $Junk\r\n", "a UID STORE 1:3 Remove silent (\\Deleted $Junk)" },
        { "a STORE 2 FLAGS ()\r\n", "a STORE 2 Replace ()" },
        { "a STORE 2 (UNCHANGEDSINCE 12) flags.silent (\\ANSWERED \\draft \\Custom)\r\n", "a STORE 2 Replace silent (\\Answered \\Draft \\Custom) unchangedsince=12" },
        { "a COPY 1:3 Archive\r\n", "a COPY 1:3 Archive" },
        { "a UID MOVE 5 \"Deleted Items\"\r\n", "a UID MOVE 5 Deleted Items" },
        { "a UID COPY 1 {5}\r\nTrash\r\n", "a UID COPY 1 Trash" },
        { "a ID NIL\r\n", "a ID NIL" },
        { "a ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n", "a ID name=Thunderbird version=NIL" },
        { "a ID ()\r\n", "a ID" },
    };

    [Theory]
    [MemberData(nameof(Good))]
    public void Parses_in_one_piece(string wire, string expected)
    {
        var assembler = new CommandAssembler();
        var bytes = Encoding.UTF8.GetBytes(wire);
        Assert.Equal(bytes.Length, assembler.Feed(new(bytes)));
        Assert.Equal(expected, AstText.Of(Assert.Single(assembler.Results)));
        Assert.False(assembler.HasPartialCommand);
    }

    [Theory]
    [MemberData(nameof(Good))]
    public void Parses_when_split_at_every_byte(string wire, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var reference = new CommandAssembler();
        reference.Feed(new(bytes));
        var boundaries = reference.Boundaries.Prepend(0).ToHashSet();
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            // Only the first `cut` octets have arrived: whatever is consumed must end a line or a literal.
            var assembler = new CommandAssembler();
            long consumed = assembler.Feed(new(bytes, 0, cut));
            Assert.Contains(consumed, boundaries);
            consumed += assembler.Feed(new(bytes, (int)consumed, bytes.Length - (int)consumed));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, AstText.Of(Assert.Single(assembler.Results)));

            // The same bytes delivered as one sequence of two segments (the framer's slow path).
            var split = new CommandAssembler();
            Assert.Equal(bytes.Length, split.Feed(Segment.Split(bytes, cut)));
            Assert.Equal(expected, AstText.Of(Assert.Single(split.Results)));
        }
    }

    [Fact]
    public void Pipelined_commands_come_out_in_order()
    {
        var bytes = Encoding.UTF8.GetBytes("a NOOP\r\nb LOGIN {1+}\r\nx y\r\nc FETCH 1 UID\r\n");
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var assembler = new CommandAssembler();
            long consumed = assembler.Feed(new(bytes, 0, cut));
            assembler.Feed(new(bytes, (int)consumed, bytes.Length - (int)consumed));
            Assert.Equal(["a NOOP", "b LOGIN x|y", "c FETCH 1 [Uid]"], assembler.Results.Select(AstText.Of));
            Assert.Equal(0, assembler.Continuations);
        }
    }

    [Fact]
    public void Synchronizing_literals_ask_for_continuation()
    {
        var assembler = new CommandAssembler();
        assembler.Feed(new(Encoding.ASCII.GetBytes("a LOGIN {1}\r\nx {1}\r\ny\r\n")));
        Assert.Equal(2, assembler.Continuations);
    }
}
