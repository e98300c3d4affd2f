namespace Letterbox.Imap.Protocol;

/// <summary>What a client line during AUTHENTICATE holds (RFC 9051 §6.2.2).</summary>
public enum SaslLineStatus
{
    /// <summary>A BASE64 response (possibly empty), decoded.</summary>
    Response,
    /// <summary>"*": the client cancels; answer BAD.</summary>
    Cancelled,
    /// <summary>Not BASE64; answer BAD and end the exchange.</summary>
    Invalid,
}

/// <summary>Client lines that are not commands: SASL continuations and the DONE that ends IDLE.</summary>
public static class SaslContinuation
{
    /// <summary>authenticate = ... *(CRLF base64); "*" cancels the exchange.</summary>
    public static SaslLineStatus Read(ReadOnlySpan<byte> line, out byte[] response)
    {
        response = [];
        if (line.Length == 1 && line[0] == (byte)'*')
        {
            return SaslLineStatus.Cancelled;
        }
        if (line.IsEmpty)
        {
            return SaslLineStatus.Response;
        }
        if (line.Length % 4 != 0 || line.IndexOfAnyExcept(Base64Chars) >= 0)
        {
            return SaslLineStatus.Invalid;
        }
        var decoded = new byte[line.Length / 4 * 3];
        if (System.Buffers.Text.Base64.DecodeFromUtf8(line, decoded, out _, out int written) != System.Buffers.OperationStatus.Done)
        {
            return SaslLineStatus.Invalid;
        }
        response = decoded[..written];
        return SaslLineStatus.Response;
    }

    /// <summary>Decodes an AUTHENTICATE initial response (already checked as BASE64 by the parser; "" for "=").</summary>
    public static bool TryDecodeInitialResponse(string initialResponse, out byte[] response)
    {
        ArgumentNullException.ThrowIfNull(initialResponse);
        return Read(System.Text.Encoding.ASCII.GetBytes(initialResponse), out response) == SaslLineStatus.Response;
    }

    /// <summary>idle = "IDLE" CRLF "DONE" (RFC 9051 §6.3.13), case-insensitive.</summary>
    public static bool IsIdleDone(ReadOnlySpan<byte> line) => line.Length == 4 && System.Text.Ascii.EqualsIgnoreCase(line, "DONE"u8);

    private static ReadOnlySpan<byte> Base64Chars => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8;
}
