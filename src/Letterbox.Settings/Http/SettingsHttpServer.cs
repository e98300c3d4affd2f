using System.Buffers;
using System.IO.Pipelines;
using Letterbox.Core.Options;
using Letterbox.Net;
using Microsoft.Extensions.Logging;

namespace Letterbox.Settings.Http;

/// <summary>
/// A deliberately small HTTP/1.1 server for the settings documents, running on Letterbox's own listeners
/// (so TLS, connection limits and the dev port offset are the same as for IMAP and POP3). One request per
/// connection, answered with Connection: close; GET, HEAD and POST with a Content-Length body; every
/// limit explicit (<see cref="ClientSettingsOptions"/>). Why not Kestrel: see docs/architecture.md.
/// </summary>
public sealed partial class SettingsHttpServer : IConnectionHandler
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private readonly SettingsSite _site;
    private readonly ClientSettingsOptions _limits;
    private readonly ILogger _log;

    public SettingsHttpServer(SettingsSite site, ClientSettingsOptions limits, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _site = site;
        _limits = limits;
        _log = loggerFactory.CreateLogger<SettingsHttpServer>();
    }

    public async Task HandleAsync(ClientConnection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(TimeSpan.FromSeconds(_limits.RequestTimeoutSeconds));
        HttpResponse response;
        var headOnly = false;
        var refused = false;
        try
        {
            var (request, refusal) = await ReadRequestAsync(connection.Input, connection.Output, deadline.Token).ConfigureAwait(false);
            if (request is null)
            {
                response = refusal!;
                refused = true;
            }
            else
            {
                headOnly = request.Method == "HEAD";
                response = await _site.AnswerAsync(request, deadline.Token).ConfigureAwait(false);
                LogRequest(_log, request.Method, request.Path, request.Host ?? "-", response.Status);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            response = HttpResponse.Text(408, "text/plain; charset=utf-8", "request took too long\n");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            await connection.Output.WriteAsync(response.Serialise(headOnly), stopping).ConfigureAwait(false);
            await connection.Output.CompleteAsync().ConfigureAwait(false);
            if (refused)
            {
                await DrainAsync(connection.Input, stopping).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The client went away before reading the answer.
        }
    }

    private async Task<(HttpRequest? Request, HttpResponse? Refusal)> ReadRequestAsync(PipeReader input, PipeWriter output, CancellationToken ct)
    {
        while (true)
        {
            var read = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = read.Buffer;
            var end = Find(buffer, HeadEnd);
            if (end < 0)
            {
                if (buffer.Length > _limits.MaxRequestHeaderBytes)
                {
                    input.AdvanceTo(buffer.End);
                    return (null, HttpResponse.Text(431, "text/plain; charset=utf-8", "request head too large\n"));
                }
                if (read.IsCompleted)
                {
                    input.AdvanceTo(buffer.End);
                    return (null, HttpResponse.Text(400, "text/plain; charset=utf-8", "incomplete request\n"));
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            var headLength = end + HeadEnd.Length;
            if (headLength > _limits.MaxRequestHeaderBytes)
            {
                input.AdvanceTo(buffer.End);
                return (null, HttpResponse.Text(431, "text/plain; charset=utf-8", "request head too large\n"));
            }
            var head = buffer.Slice(0, headLength).ToArray();
            // Every path below has consumed the head; refusals drop what follows it when draining.
            input.AdvanceTo(buffer.GetPosition(headLength));
            var parsed = HttpRequestParser.ParseHead(head);
            if (parsed.Request is null)
            {
                return (null, HttpResponse.Text(parsed.ErrorStatus, "text/plain; charset=utf-8", parsed.Error + "\n"));
            }
            var length = parsed.Request.ContentLength;
            // The size is checked against the declaration before any body byte is read (or a 100-continue sent).
            if (length > _limits.MaxRequestBodyBytes)
            {
                return (null, HttpResponse.Text(413, "text/plain; charset=utf-8", "request body too large\n"));
            }
            if (length == 0)
            {
                return (parsed.Request, null);
            }
            if (parsed.Request.Headers.TryGetValue("expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 9110 §10.1.1: the size was acceptable, so ask for the body (curl waits for this).
                await output.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), ct).ConfigureAwait(false);
            }
            var body = await ReadBodyAsync(input, length, ct).ConfigureAwait(false);
            return body is null
                ? (null, HttpResponse.Text(400, "text/plain; charset=utf-8", "body shorter than Content-Length\n"))
                : (parsed.Request with { Body = body }, null);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(PipeReader input, long length, CancellationToken ct)
    {
        while (true)
        {
            var read = await input.ReadAsync(ct).ConfigureAwait(false);
            if (read.Buffer.Length >= length)
            {
                var body = read.Buffer.Slice(0, length).ToArray();
                input.AdvanceTo(read.Buffer.GetPosition(length));
                return body;
            }
            if (read.IsCompleted)
            {
                input.AdvanceTo(read.Buffer.End);
                return null;
            }
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>
    /// After refusing a request whose bytes are still arriving, reads and drops a bounded amount for a
    /// short time: closing with unread data makes the kernel send RST, which can destroy the error
    /// response before the client reads it.
    /// </summary>
    private static async Task DrainAsync(PipeReader input, CancellationToken stopping)
    {
        const long MaxDrainBytes = 1024 * 1024;
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        drain.CancelAfter(TimeSpan.FromSeconds(2));
        long dropped = 0;
        try
        {
            while (dropped < MaxDrainBytes)
            {
                var read = await input.ReadAsync(drain.Token).ConfigureAwait(false);
                dropped += read.Buffer.Length;
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static long Find(ReadOnlySequence<byte> buffer, byte[] needle)
    {
        if (buffer.IsSingleSegment)
        {
            return buffer.FirstSpan.IndexOf(needle);
        }
        return buffer.ToArray().AsSpan().IndexOf(needle);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "HTTP {Method} {Path} host {Host}: {Status}")]
    private static partial void LogRequest(ILogger logger, string method, string path, string host, int status);
}
