using Letterbox.Discovery.ErrorCodes;

namespace Letterbox.Tests.Discovery;

public class ErrorCodeTableTests
{
    [Fact]
    public void Covers_the_four_families()
    {
        var families = ErrorCodeTable.Default.Codes.GroupBy(c => c.Family).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(families["smtp-enhanced"] >= 30);
        Assert.True(families["imap-response-code"] >= 17);
        Assert.Equal(5, families["pop3-resp-code"]);
        Assert.True(families["tls-alert"] >= 25);
        Assert.Equal(ErrorCodeTable.Default.Codes.Count, ErrorCodeTable.Default.Codes.Select(c => (c.Family, c.Code)).Distinct().Count());
    }

    [Theory]
    [InlineData("535 5.7.8 Authentication credentials invalid", "X.7.8")]
    [InlineData("a1 NO [AUTHENTICATIONFAILED] Authentication failed.", "AUTHENTICATIONFAILED")]
    [InlineData("-ERR [IN-USE] mailbox locked", "IN-USE")]
    [InlineData("-ERR [SYS/TEMP] try later", "SYS/TEMP")]
    public void Explains_server_replies(string reply, string code) => Assert.Equal(code, ErrorCodeTable.Default.Explain(reply)?.Code);

    [Fact]
    public void Explains_tls_alerts() => Assert.Equal("certificate_expired", ErrorCodeTable.Default.TlsAlert(45)?.Name);

    [Fact]
    public void Docs_page_is_generated_from_the_table()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "error-codes.md");
        var rendered = ErrorCodeTable.Default.RenderMarkdown();
        if (Environment.GetEnvironmentVariable("LETTERBOX_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, rendered);
        }
        Assert.True(File.Exists(path), "docs/error-codes.md is missing: run with LETTERBOX_WRITE_DOCS=1");
        Assert.Equal(rendered, File.ReadAllText(path));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
