namespace Letterbox.Tests.Integration;

/// <summary>Python's imaplib (the stdlib client many scripts use) over STARTTLS and IMAPS.</summary>
public sealed class PythonImaplibTests
{
    [Fact]
    public async Task Imaplib_session_runs_end_to_end()
    {
        await using var server = await TestServer.StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Integration", "Scripts", "imaplib_client.py");
        var result = await ExternalProcess.RunAsync("python3",
            [script, "localhost", server.ImapPort.ToString(), server.ImapsPort.ToString(), server.User, TestServer.Password, server.CertificatePath]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("OK 1", result.Output, StringComparison.Ordinal);
        Assert.Contains("IMAP4REV1", result.Output, StringComparison.Ordinal);
    }
}
