using System.Diagnostics;
using System.Text;

namespace Letterbox.Tests.Integration;

/// <summary>The outcome of running a real program (curl, mbsync, python3, letterbox...).</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs external programs with a time limit; a program that is missing fails the test with the package to install.</summary>
public static class ExternalProcess
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string? standardInput = null,
        string? workingDirectory = null, IDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{fileName} is not installed ({e.Message}); ./test.sh installs it", e);
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the letterbox CLI built next to the tests (dotnet letterbox.dll ...).</summary>
    public static Task<ProcessResult> LetterboxAsync(IEnumerable<string> arguments, string? standardInput = null, int timeoutSeconds = 60)
        => RunAsync("dotnet", new[] { LetterboxDll }.Concat(arguments), standardInput, timeoutSeconds: timeoutSeconds);

    public static string LetterboxDll => Path.Combine(AppContext.BaseDirectory, "letterbox.dll");

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
