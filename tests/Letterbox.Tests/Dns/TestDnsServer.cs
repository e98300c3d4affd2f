using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Letterbox.Core.Options;

namespace Letterbox.Tests.Dns;

/// <summary>
/// An in-process authoritative DNS server for tests (RFC 1035 wire format), on 127.0.0.1 with a port
/// chosen by the OS, over UDP and TCP (same port number). It answers from the records added to it,
/// follows CNAMEs inside its own data, and can be told to fail (SERVFAIL) or stay silent for a name.
/// TTLs are 0, so resolvers do not cache between a test's changes.
/// </summary>
public sealed class TestDnsServer : IAsyncDisposable
{
    private const int MaxUdpWithoutEdns = 512;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<(DnsType Type, byte[] Data)>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _servFail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _drop = new(StringComparer.OrdinalIgnoreCase);
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    private TestDnsServer()
    {
        // TCP first on port 0, then UDP on the same number (retried when that UDP port is taken).
        for (var attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                _tcp = tcp;
                _udp = udp;
                break;
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Stop();
            }
        }
        EndPoint = new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)_tcp.LocalEndpoint).Port);
        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    /// <summary>Record types the server knows, with their RFC type codes.</summary>
    public enum DnsType : ushort
    {
        A = 1,
        NS = 2,
        CNAME = 5,
        PTR = 12,
        MX = 15,
        TXT = 16,
        AAAA = 28,
        SRV = 33,
        TLSA = 52,
    }

    /// <summary>Where the server listens (UDP and TCP).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Options that point Letterbox's resolver at this server.</summary>
    public DnsOptions Options => new() { Servers = [EndPoint.ToString()], TimeoutMs = 2000, Attempts = 1 };

    /// <summary>Every question asked, in order: ("name", "TYPE").</summary>
    public ConcurrentQueue<(string Name, string Type)> Queries { get; } = new();

    /// <summary>Starts a server with no records.</summary>
    public static TestDnsServer Start() => new();

    /// <summary>
    /// Adds a record in presentation form: A "192.0.2.1"; AAAA "2001:db8::1"; CNAME/NS/PTR "target.";
    /// MX "10 mx.example."; TXT "v=spf1 -all" (or several "quoted" "strings"); SRV "0 1 993 imap.example.";
    /// TLSA "3 1 1 hex".
    /// </summary>
    public TestDnsServer Add(string name, string type, string data)
    {
        var kind = Enum.Parse<DnsType>(type, ignoreCase: true);
        _records.GetOrAdd(Normalise(name), _ => new()).Enqueue((kind, Encode(kind, data)));
        return this;
    }

    /// <summary>Removes every record of a name (all types).</summary>
    public void Remove(string name) => _records.TryRemove(Normalise(name), out _);

    /// <summary>Questions about <paramref name="name"/> get SERVFAIL (a temporary error).</summary>
    public void ServFail(string name) => _servFail[Normalise(name)] = true;

    /// <summary>Questions about <paramref name="name"/> get no answer at all (a timeout).</summary>
    public void Drop(string name) => _drop[Normalise(name)] = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Stop();
        try
        {
            await Task.WhenAll(_udpLoop, _tcpLoop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while waiting for a packet.
        }
        _stop.Dispose();
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            if (Answer(query, udp: true) is { } reply)
            {
                try
                {
                    await _udp.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
            }
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeTcpClientAsync(client));
        }
    }

    private async Task ServeTcpClientAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var length = new byte[2];
            try
            {
                // RFC 1035 §4.2.2: each message is preceded by a two-octet length.
                while (true)
                {
                    await stream.ReadExactlyAsync(length, _stop.Token).ConfigureAwait(false);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    await stream.ReadExactlyAsync(query, _stop.Token).ConfigureAwait(false);
                    if (Answer(query, udp: false) is not { } reply)
                    {
                        continue;
                    }
                    var framed = new byte[reply.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                    reply.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Client done or server stopping.
            }
        }
    }

    /// <summary>Builds the reply to one query; null to stay silent.</summary>
    private byte[]? Answer(byte[] query, bool udp)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
        {
            return null;
        }
        var offset = 12;
        var name = ReadName(query, ref offset);
        if (name is null || offset + 4 > query.Length)
        {
            return null;
        }
        var qtype = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset));
        var questionEnd = offset + 4;
        Queries.Enqueue((name, Enum.IsDefined(typeof(DnsType), qtype) ? ((DnsType)qtype).ToString() : qtype.ToString(CultureInfo.InvariantCulture)));
        if (_drop.ContainsKey(name))
        {
            return null;
        }

        var answers = new List<(string Name, DnsType Type, byte[] Data)>();
        byte rcode = 0;
        if (_servFail.ContainsKey(name))
        {
            rcode = 2;
        }
        else
        {
            var current = name;
            // Follow CNAMEs inside our own data (RFC 1034 §4.3.2 step 3a), at most 8 deep.
            for (var depth = 0; depth < 8; depth++)
            {
                if (!_records.TryGetValue(current, out var records))
                {
                    if (answers.Count == 0 && !HasDescendants(current))
                    {
                        rcode = 3;
                    }
                    break;
                }
                var matching = records.Where(r => (ushort)r.Type == qtype).ToList();
                if (matching.Count > 0 || qtype == (ushort)DnsType.CNAME)
                {
                    answers.AddRange(matching.Select(r => (current, r.Type, r.Data)));
                    break;
                }
                var alias = records.FirstOrDefault(r => r.Type == DnsType.CNAME);
                if (alias.Data is null)
                {
                    break;
                }
                answers.Add((current, DnsType.CNAME, alias.Data));
                var target = 0;
                current = ReadName(alias.Data, ref target) ?? current;
            }
        }

        var reply = Build(query, questionEnd, rcode, answers, truncated: false);
        var limit = udp ? UdpLimit(query, questionEnd) : int.MaxValue;
        return reply.Length <= limit ? reply : Build(query, questionEnd, rcode, [], truncated: true);
    }

    private bool HasDescendants(string name) =>
        _records.Keys.Any(k => k.EndsWith("." + name, StringComparison.OrdinalIgnoreCase));

    /// <summary>RFC 6891 §6.2.5: the OPT record's class is the requester's UDP payload size.</summary>
    private static int UdpLimit(byte[] query, int questionEnd)
    {
        var additional = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(10));
        // An OPT record with the root name: 0x00, type 41, class = size.
        if (additional > 0 && questionEnd + 5 <= query.Length && query[questionEnd] == 0
            && BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(questionEnd + 1)) == 41)
        {
            return Math.Max(MaxUdpWithoutEdns, (int)BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(questionEnd + 3)));
        }
        return MaxUdpWithoutEdns;
    }

    private static byte[] Build(byte[] query, int questionEnd, byte rcode, List<(string Name, DnsType Type, byte[] Data)> answers, bool truncated)
    {
        using var reply = new MemoryStream();
        var header = new byte[12];
        query.AsSpan(0, 2).CopyTo(header);
        // QR, the query's opcode and RD, AA; RA so stub resolvers accept the answer; TC when cut.
        header[2] = (byte)(0x80 | (query[2] & 0x79) | 0x04 | (truncated ? 0x02 : 0));
        header[3] = (byte)(0x80 | rcode);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)answers.Count);
        reply.Write(header);
        reply.Write(query.AsSpan(12, questionEnd - 12));
        Span<byte> fixedPart = stackalloc byte[10];
        foreach (var (name, type, data) in answers)
        {
            reply.Write(EncodeName(name));
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)data.Length);
            reply.Write(fixedPart);
            reply.Write(data);
        }
        return reply.ToArray();
    }

    private static byte[] Encode(DnsType type, string data)
    {
        var fields = data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (type)
        {
            case DnsType.A:
            case DnsType.AAAA:
                return IPAddress.Parse(data.Trim()).GetAddressBytes();
            case DnsType.CNAME:
            case DnsType.NS:
            case DnsType.PTR:
                return EncodeName(data.Trim());
            case DnsType.MX:
                return [.. UInt16(fields[0]), .. EncodeName(fields[1])];
            case DnsType.SRV:
                return [.. UInt16(fields[0]), .. UInt16(fields[1]), .. UInt16(fields[2]), .. EncodeName(fields[3])];
            case DnsType.TLSA:
                return [byte.Parse(fields[0], CultureInfo.InvariantCulture), byte.Parse(fields[1], CultureInfo.InvariantCulture),
                    byte.Parse(fields[2], CultureInfo.InvariantCulture), .. Convert.FromHexString(string.Concat(fields.Skip(3)))];
            case DnsType.TXT:
                return EncodeText(data);
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>TXT: "quoted" "strings" as given, or one unquoted text cut into 255-octet strings (RFC 1035 §3.3.14).</summary>
    private static byte[] EncodeText(string data)
    {
        var strings = new List<byte[]>();
        var trimmed = data.Trim();
        if (trimmed.StartsWith('"'))
        {
            var i = 0;
            while (i < trimmed.Length)
            {
                var open = trimmed.IndexOf('"', i);
                if (open < 0)
                {
                    break;
                }
                var close = trimmed.IndexOf('"', open + 1);
                strings.Add(Encoding.UTF8.GetBytes(trimmed[(open + 1)..close]));
                i = close + 1;
            }
        }
        else
        {
            var bytes = Encoding.UTF8.GetBytes(data);
            for (var i = 0; i < bytes.Length || i == 0; i += 255)
            {
                strings.Add(bytes[i..Math.Min(bytes.Length, i + 255)]);
            }
        }
        using var output = new MemoryStream();
        foreach (var s in strings)
        {
            output.WriteByte((byte)s.Length);
            output.Write(s);
        }
        return output.ToArray();
    }

    private static byte[] UInt16(string value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, ushort.Parse(value, CultureInfo.InvariantCulture));
        return bytes;
    }

    private static byte[] EncodeName(string name)
    {
        using var output = new MemoryStream();
        foreach (var label in Normalise(name).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            output.WriteByte((byte)bytes.Length);
            output.Write(bytes);
        }
        output.WriteByte(0);
        return output.ToArray();
    }

    /// <summary>Reads a name (no compression: queries and our own data never use it).</summary>
    private static string? ReadName(byte[] message, ref int offset)
    {
        var labels = new List<string>();
        while (offset < message.Length)
        {
            var length = message[offset++];
            if (length == 0)
            {
                return Normalise(string.Join('.', labels));
            }
            if (length > 63 || offset + length > message.Length)
            {
                return null;
            }
            labels.Add(Encoding.ASCII.GetString(message, offset, length));
            offset += length;
        }
        return null;
    }

    private static string Normalise(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
