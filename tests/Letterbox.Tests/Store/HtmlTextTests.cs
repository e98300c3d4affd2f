using System.Text;
using Letterbox.Store.Ingest;

namespace Letterbox.Tests.Store;

/// <summary>HTML reduced to its text for SEARCH: the cases the former regular expressions covered, and malformed markup.</summary>
public sealed class HtmlTextTests
{
    private static string Text(string html)
    {
        var text = new StringBuilder();
        HtmlText.Append(text, html);
        return text.ToString();
    }

    [Theory]
    [InlineData("<p>Hello <b>world</b></p>", "Hello world")]
    [InlineData("<html><head><style type=\"text/css\">p { color: red }</style></head><body>Body</body></html>", "Body")]
    [InlineData("a<SCRIPT language=js>if (a < b) alert('x');</script >b", "a b")]
    [InlineData("one\t\t two   three", "one two three")]
    [InlineData("Fish &amp; chips &lt;b&gt; &#233;t&#xE9;", "Fish & chips <b> été")]
    [InlineData("a < b and no tag", "a < b and no tag")]
    [InlineData("x<br/>y", "x y")]
    [InlineData("<script>never closed", "never closed")]
    [InlineData("<style>a</styles>b</style>c", "c")]
    [InlineData("", "")]
    [InlineData("   <div>  </div>  ", "")]
    [InlineData("line one\r\n<p>line two</p>", "line one\r\n line two")]
    public void Keeps_the_text_drops_the_markup(string html, string expected)
    {
        Assert.Equal(expected, Text(html));
    }

    [Fact]
    public void Appends_after_what_is_there()
    {
        var text = new StringBuilder("Subject: x\n");
        HtmlText.Append(text, "<i>body</i>");
        Assert.Equal("Subject: x\nbody", text.ToString());
    }
}
