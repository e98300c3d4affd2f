using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class ModifiedUtf7Tests
{
    [Theory]
    [InlineData("INBOX", "INBOX")]
    [InlineData("&", "&-")]
    [InlineData("A&B", "A&-B")]
    [InlineData("Entwürfe", "Entw&APw-rfe")]
    [InlineData("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")] // RFC 3501 §5.1.3 example
    [InlineData("日本語", "&ZeVnLIqe-")]
    [InlineData("Brouillons d'été", "Brouillons d'&AOk-t&AOk-")]
    [InlineData("Папка", "&BB8EMAQ,BDoEMA-")]
    [InlineData("😀", "&2D3eAA-")]
    [InlineData("a\tb", "a&AAk-b")]
    [InlineData("", "")]
    public void Round_trips(string name, string encoded)
    {
        Assert.Equal(encoded, ModifiedUtf7.Encode(name));
        Assert.True(ModifiedUtf7.TryDecode(encoded, out var decoded));
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("&")]            // unterminated shift
    [InlineData("&ZeVnLIqe")]    // missing "-"
    [InlineData("&Zé-")]         // not BASE64
    [InlineData("&ZeVnLIq/-")]   // "/" instead of ","
    [InlineData("&AEE-")]        // "A" encoded though printable
    [InlineData("&ACY-")]        // "&" encoded instead of "&-"
    [InlineData("&AOQ-&APY-")]   // two adjacent shifts
    [InlineData("&AO-")]         // leftover bits / odd octet
    [InlineData("&AOQA-")]       // 16 + 8 bits: a dangling octet
    [InlineData("&2D0-")]        // lone high surrogate
    [InlineData("&3gA-")]        // lone low surrogate
    [InlineData("Entwürfe")]     // raw 8-bit
    [InlineData("a\tb")]         // control character
    public void Rejects_malformed_input(string encoded)
        => Assert.False(ModifiedUtf7.TryDecode(encoded, out _));

    [Fact]
    public void Every_bmp_character_round_trips()
    {
        for (int c = 0; c < 0x10000; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }
            var name = "x" + (char)c + "y" + (char)c + (char)c;
            Assert.True(ModifiedUtf7.TryDecode(ModifiedUtf7.Encode(name), out var back));
            Assert.Equal(name, back);
        }
    }
}
