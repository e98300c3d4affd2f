using System.Buffers;

namespace Letterbox.Smtp.Protocol;

/// <summary>
/// Decodes the DATA stream (RFC 5321 §4.1.1.4, §4.5.2): removes dot-stuffing and finds the end
/// of data. Pure and resumable: feed it whatever bytes have arrived.
/// <para>
/// SMTP smuggling defence: only CR LF "." CR LF ends the data. A bare LF or a bare CR is message
/// content, kept as it is; it never starts a line, so "\n.\n", "\r.\r" and "\n.\r\n" neither end the
/// message nor are unstuffed. Only a "." that follows CR LF is a line-start dot.
/// </para>
/// <para>
/// The size cap is enforced while decoding: past <see cref="MaxSize"/> octets nothing more is
/// written, but the input is still consumed up to the end of data so the session stays in step.
/// </para>
/// </summary>
public sealed class DataDecoder(long maxSize)
{
    private enum State
    {
        /// <summary>Just after CR LF (or at the start): a "." here is special.</summary>
        LineStart,
        InLine,
        /// <summary>A CR is held back: CR LF is a line end, anything else makes it content.</summary>
        AfterCr,
        /// <summary>A line-start "." was removed.</summary>
        AfterDot,
        /// <summary>"." CR at line start: LF ends the data.</summary>
        AfterDotCr,
    }

    private State _state = State.LineStart;

    public long MaxSize { get; } = maxSize;
    /// <summary>Octets of decoded content so far (counted even past the cap).</summary>
    public long Size { get; private set; }
    public bool TooBig => Size > MaxSize;
    public bool IsComplete { get; private set; }

    /// <summary>
    /// Decodes from <paramref name="input"/>, writing content to <paramref name="output"/>; returns the
    /// number of octets consumed. Stops right after the end-of-data line (then <see cref="IsComplete"/>).
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (var i = 0; i < input.Length; i++)
        {
            if (_state == State.InLine)
            {
                // Fast path: inside a line everything up to the next CR is content as it is, copied in one go.
                var run = input[i..].IndexOf((byte)'\r');
                var length = run < 0 ? input.Length - i : run;
                EmitRun(input.Slice(i, length), output);
                i += length;
                if (run < 0)
                {
                    break;
                }
            }
            var b = input[i];
            switch (_state)
            {
                case State.LineStart when b == (byte)'.':
                    _state = State.AfterDot;
                    break;
                case State.LineStart or State.InLine:
                    _state = Content(b, output);
                    break;
                case State.AfterCr when b == (byte)'\n':
                    Emit((byte)'\r', output);
                    Emit((byte)'\n', output);
                    _state = State.LineStart;
                    break;
                case State.AfterCr:
                    Emit((byte)'\r', output);
                    _state = Content(b, output);
                    break;
                case State.AfterDot when b == (byte)'\r':
                    _state = State.AfterDotCr;
                    break;
                case State.AfterDot:
                    // RFC 5321 §4.5.2: the first dot of a line with more on it is removed.
                    _state = Content(b, output);
                    break;
                case State.AfterDotCr when b == (byte)'\n':
                    IsComplete = true;
                    return i + 1;
                case State.AfterDotCr:
                    // "." CR x: a bare CR after a removed dot; the CR is content.
                    Emit((byte)'\r', output);
                    _state = Content(b, output);
                    break;
            }
        }
        return input.Length;
    }

    private State Content(byte b, IBufferWriter<byte> output)
    {
        if (b == (byte)'\r')
        {
            return State.AfterCr;
        }
        Emit(b, output);
        return State.InLine;
    }

    private void EmitRun(ReadOnlySpan<byte> run, IBufferWriter<byte> output)
    {
        var room = Math.Max(0, MaxSize - Size);
        Size += run.Length;
        if (room > 0)
        {
            output.Write(run[..(int)Math.Min(run.Length, room)]);
        }
    }

    private void Emit(byte b, IBufferWriter<byte> output)
    {
        Size++;
        if (Size <= MaxSize)
        {
            output.GetSpan(1)[0] = b;
            output.Advance(1);
        }
    }
}
