using System.Net;
using System.Net.Sockets;

namespace Parks.AppHost;

/// <summary>Local ports: the fixed ones asked for when they are free, otherwise (or with base 0) free ones.</summary>
internal sealed class Ports(int portBase)
{
    private readonly HashSet<int> _taken = [];

    /// <summary>The backplane's ports.</summary>
    public (int Grpc, int Http) Backplane() => (Pick(At(0)), Pick(At(100)));

    /// <summary>The ports of the n-th service (1-based).</summary>
    public (int Grpc, int Http) Service(int n) => (Pick(At(n)), Pick(At(100 + n)));

    /// <summary>A port that must be exactly this one (the gateway's), or any free one for 0.</summary>
    public int Exactly(int port, string what)
    {
        if (port == 0) return Pick(null);
        if (!_taken.Add(port) || !IsFree(port))
            throw new InvalidOperationException($"Port {port} for {what} is in use. Stop what uses it, or choose another port (see --help).");
        return port;
    }

    public int Any() => Pick(null);

    private int? At(int offset) => portBase == 0 ? null : portBase + offset;

    private int Pick(int? preferred)
    {
        if (preferred is { } port && !_taken.Contains(port) && IsFree(port))
        {
            _taken.Add(port);
            return port;
        }
        while (true)
        {
            var free = FreePort();
            if (_taken.Add(free)) return free;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
