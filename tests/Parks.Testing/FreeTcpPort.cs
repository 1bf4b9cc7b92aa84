using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Parks.Testing;

public static class FreeTcpPort
{
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// Where <see cref="Next"/> chooses: below the kernel's ephemeral range (Linux: 10000 up to its first port), or
    /// null where that range is unknown or leaves too little room (then the OS chooses).
    /// </summary>
    public static (int Low, int High)? ListeningRange { get; } = ChooseRange();

    /// <summary>
    /// A loopback port free right now, not handed out before in this process; another process may still take it
    /// before it is bound (<see cref="StartWithRetryAsync{T}"/>). Chosen at random below the ephemeral range: outgoing
    /// connections take their local ports from that range, so a port chosen there (as port 0 does) can become the
    /// local end of some test's client connection between being chosen and being bound, which a parallel test run on
    /// two cores does often enough to fail runs.
    /// </summary>
    public static int Next()
    {
        if (ListeningRange is var (low, high))
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(low, high + 1);
                lock (Gate)
                {
                    if (!HandedOut.Add(port)) continue;
                }
                if (CanBind(port)) return port;
            }
        }
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Gate)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int, int)? ChooseRange()
    {
        try
        {
            if (!File.Exists(EphemeralRangeFile)) return null;
            var first = int.Parse(File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
            const int low = 10_000;
            return first - 1 - low >= 5_000 ? (low, first - 1) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts a server on ports it chooses itself with <see cref="Next"/>, and starts it again on new ports when one
    /// was taken between being chosen and being bound (by another test process of a parallel run). The start must
    /// release what it built when it throws.
    /// </summary>
    public static async Task<T> StartWithRetryAsync<T>(Func<Task<T>> start, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start();
            }
            catch (Exception ex) when (attempt < attempts && IsAddressInUse(ex))
            {
                // Chosen ports taken in the meantime: choose again.
            }
        }
    }

    /// <summary>
    /// Starts a host; when it fails (a port taken, say), stops what did start and disposes the host before the
    /// exception goes on, so a retry on other ports leaves nothing running behind.
    /// </summary>
    public static async Task StartOrDisposeAsync(IHost host)
    {
        try
        {
            await host.StartAsync();
        }
        catch
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            host.Dispose();
            throw;
        }
    }

    /// <summary>True when the exception (or one it wraps) says that an address was already in use.</summary>
    public static bool IsAddressInUse(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) return true;
        }
        return false;
    }

    /// <summary>True when something accepts TCP connections on the loopback port.</summary>
    public static async Task<bool> IsAcceptingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
