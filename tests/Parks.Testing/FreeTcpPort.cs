using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Parks.Testing;

public static class FreeTcpPort
{
    /// <summary>A loopback port the OS considers free right now (another process may still take it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
