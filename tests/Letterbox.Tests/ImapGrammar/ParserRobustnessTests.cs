using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

/// <summary>Mutated commands never make the parser throw, loop or accept a wrong tag.</summary>
public class ParserRobustnessTests
{
    private static readonly byte[] s_specials = "()[]{}<>\"\\ *%$:,.+-~0129AZaz\r\n\0\u00ff"u8.ToArray();

    [Fact]
    public void Mutations_of_every_good_command_are_answered_without_exceptions()
    {
        var random = new Random(9051);
        int parsed = 0;
        int rejected = 0;
        foreach (var row in CommandParserTests.Good)
        {
            var original = Encoding.UTF8.GetBytes((string)row[0]);
            for (int round = 0; round < 300; round++)
            {
                var bytes = Mutate(original, random);
                var assembler = new CommandAssembler(maxLineLength: 1000, ParserLimits.Default with { MaxDepth = 8, MaxItems = 50 });
                try
                {
                    assembler.Feed(new(bytes));
                }
                catch (InvalidOperationException e) when (e.Message.StartsWith("Framer said", StringComparison.Ordinal))
                {
                    // An overlong line or an oversized literal marker: the session answers BAD; nothing to parse.
                }
                foreach (var result in assembler.Results)
                {
                    if (result.Success)
                    {
                        parsed++;
                        Assert.Null(result.ErrorText);
                    }
                    else
                    {
                        rejected++;
                        Assert.False(string.IsNullOrWhiteSpace(result.ErrorText));
                        Assert.True(result.Tag == "*" || result.Tag.Length > 0);
                    }
                }
            }
        }
        // Both outcomes must occur, or the mutations were not exercising anything.
        Assert.True(parsed > 100, $"parsed {parsed}");
        Assert.True(rejected > 100, $"rejected {rejected}");
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        int edits = random.Next(1, 4);
        for (int i = 0; i < edits && bytes.Count > 0; i++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] = s_specials[random.Next(s_specials.Length)];
                    break;
                case 1:
                    bytes.Insert(at, s_specials[random.Next(s_specials.Length)]);
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(8, bytes.Count - at)));
                    break;
            }
        }
        return [.. bytes];
    }
}
