using System.Text;
using Letterbox.Imap.Protocol;

namespace Letterbox.Tests.ImapGrammar;

public class SaslContinuationTests
{
    [Theory]
    [InlineData("AGpvZQBzZWNyZXQ=", SaslLineStatus.Response, "\0joe\0secret")]
    [InlineData("", SaslLineStatus.Response, "")]
    [InlineData("*", SaslLineStatus.Cancelled, "")]
    [InlineData("AGpvZQBzZWNyZXQ", SaslLineStatus.Invalid, "")]
    [InlineData("AG=vZQBz", SaslLineStatus.Invalid, "")]
    [InlineData("AGpv ZQBz", SaslLineStatus.Invalid, "")]
    public void Reads_continuation_lines(string line, SaslLineStatus status, string decoded)
    {
        Assert.Equal(status, SaslContinuation.Read(Encoding.ASCII.GetBytes(line), out var response));
        Assert.Equal(decoded, Encoding.UTF8.GetString(response));
    }

    [Fact]
    public void Initial_response_and_idle_done()
    {
        Assert.True(SaslContinuation.TryDecodeInitialResponse("", out var empty));
        Assert.Empty(empty);
        Assert.True(SaslContinuation.TryDecodeInitialResponse("AGpvZQBzZWNyZXQ=", out var plain));
        Assert.Equal("\0joe\0secret", Encoding.UTF8.GetString(plain));
        Assert.True(SaslContinuation.IsIdleDone("done"u8));
        Assert.True(SaslContinuation.IsIdleDone("DONE"u8));
        Assert.False(SaslContinuation.IsIdleDone("DONE "u8));
        Assert.False(SaslContinuation.IsIdleDone("a NOOP"u8));
    }
}
