using System.Net.Sockets;

namespace Letterbox.Net;

/// <summary>
/// The file a Unix domain socket listener binds. A server killed without cleaning up leaves the file
/// behind, and bind() then fails with "address in use" although nobody listens; such a stale file is
/// removed at start — but only after a connection attempt proves nothing answers on it, so a second
/// Letterbox (or any other program) already listening there is never cut off.
/// </summary>
public static class UnixSocketFile
{
    /// <summary>Linux sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxPathBytes = 107;

    /// <summary>
    /// Makes <paramref name="path"/> free to bind (creating its directory); throws <see cref="ListenerException"/>
    /// when it is in use, is not a socket, or the directory cannot be used.
    /// </summary>
    public static void PrepareForBind(string listenerName, string path)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new ListenerException($"cannot listen on unix:{path} for {listenerName}: the path is longer than {MaxPathBytes} bytes (a Unix socket limit); choose a shorter one");
        }
        try
        {
            RemoveIfStale(listenerName, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SocketException)
        {
            throw new ListenerException($"cannot listen on unix:{path} for {listenerName}: {e.Message}");
        }
    }

    private static void RemoveIfStale(string listenerName, string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        if (!IsPresent(path))
        {
            return;
        }
        if (!CouldBeSocket(path))
        {
            throw new ListenerException($"cannot listen on unix:{path} for {listenerName}: a file that is not a socket is in the way; remove it or choose another path");
        }
        if (IsAnswering(path))
        {
            throw new ListenerException($"cannot listen on unix:{path} for {listenerName}: another program is already listening on it");
        }
        File.Delete(path);
    }

    /// <summary>Sets the socket file's permissions (chmod), e.g. 0660 so the MTA's group may connect.</summary>
    public static void SetMode(string listenerName, string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows has AF_UNIX but no Unix modes; its ACLs are inherited from the directory.
        }
        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListenerException($"cannot set the permissions of unix:{path} for {listenerName}: {e.Message}");
        }
    }

    /// <summary>Parses an octal mode such as "0660" or "660"; null when it is not one.</summary>
    public static UnixFileMode? ParseMode(string text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 4)
        {
            return null;
        }
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7')
            {
                return null;
            }
            value = (value * 8) + (c - '0');
        }
        // Only permission bits: setuid/setgid/sticky mean nothing on a socket.
        return value > 0x1FF ? null : (UnixFileMode)value;
    }

    private static bool IsPresent(string path)
    {
        try
        {
            _ = File.GetAttributes(path);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// .NET has no file-type query, and connect() on a regular file fails with ECONNREFUSED just like a
    /// stale socket, so only what cannot hold data is taken for a socket: not a directory, not a
    /// symbolic link, size 0. A file with content is never deleted.
    /// </summary>
    private static bool CouldBeSocket(string path)
    {
        var info = new FileInfo(path);
        return !info.Attributes.HasFlag(FileAttributes.Directory) && info.LinkTarget is null && info.Length == 0;
    }

    private static bool IsAnswering(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            return false;
        }
    }
}
