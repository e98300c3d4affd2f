using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Letterbox.Tests.Integration;

/// <summary>
/// <c>letterbox serve</c> as a separate process (what an admin runs), on ports chosen by the OS:
/// it reads the listening lines the server prints, so nothing waits on a sleep.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process) => _process = process;

    public Dictionary<string, IPEndPoint> Listeners { get; } = new(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<string> Output { get { lock (_output) { return [.. _output]; } } }
    public int Pid => _process.Id;

    /// <summary>Writes a config whose listeners bind 127.0.0.1 port 0, then starts the server and waits until it prints its listeners.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, bool dev = false, params string[] extraArgs)
    {
        var config = Path.Combine(dataDirectory, "..", Path.GetFileName(dataDirectory) + ".json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            HostName = dev ? "localhost" : "mail.example.test",
            Listeners = new
            {
                imap = new { Address = "127.0.0.1", Port = 0 },
                imaps = new { Address = "127.0.0.1", Port = 0 },
                pop3 = new { Address = "127.0.0.1", Port = 0 },
                pop3s = new { Address = "127.0.0.1", Port = 0 },
                smtp = new { Address = "127.0.0.1", Port = 0 },
                lmtp = new { Address = "127.0.0.1", Port = 0 },
                http = new { Address = "127.0.0.1", Port = 0 },
                https = new { Address = "127.0.0.1", Port = 0 },
            },
            // Sender checks would ask the machine's DNS (the Internet); tests that want them use TestDnsServer.
            Smtp = new { AuthenticationChecks = false },
        }));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ExternalProcess.LetterboxDll, "serve", "--data-dir", dataDirectory, "--config", config }.Concat(dev ? ["--dev"] : []).Concat(extraArgs))
        {
            info.ArgumentList.Add(a);
        }
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new IOException("server exited: " + string.Join("\n", server.Output)));
                return;
            }
            lock (server._output)
            {
                server._output.Add(e.Data);
            }
            var m = ListeningLine().Match(e.Data);
            // Unix-socket listeners print "unix:/path": not an IP endpoint, kept out of Listeners.
            if (m.Success && IPEndPoint.TryParse(m.Groups[2].Value, out IPEndPoint? _))
            {
                server.Listeners[m.Groups[1].Value] = IPEndPoint.Parse(m.Groups[2].Value);
            }
            if (e.Data.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server._output)
                {
                    server._output.Add("stderr: " + e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>SIGKILL: the crash the store must survive.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task<int> StopAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening:\s+(\S+)\s+(\S+?)(?:\s|$)")]
    private static partial Regex ListeningLine();
}
