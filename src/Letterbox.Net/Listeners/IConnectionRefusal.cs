namespace Letterbox.Net;

/// <summary>
/// Implemented by a protocol handler to say, in its own protocol, that a connection is refused
/// because of a connection limit ("* BYE ...", "-ERR [SYS/TEMP] ...", "421 ...").
/// </summary>
public interface IConnectionRefusal
{
    ReadOnlyMemory<byte> TooManyConnections { get; }
}
