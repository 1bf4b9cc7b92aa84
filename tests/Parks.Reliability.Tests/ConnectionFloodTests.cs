using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 5 / security plan S4 ("10 k connections"): a District service process (in-memory state) gets 10,000 HTTP/2
/// connections at once, each with the client preface and SETTINGS and then silent, as a client that opens connections
/// and never calls would. Asserted: every connection is answered with the server's SETTINGS (none refused, none
/// reset); while they are all open the process is alive and a normal client on its own connection gets SERVING; its
/// memory grows by less than 100 KiB per connection; once they are closed the process still serves. With
/// <c>Parks:Endpoints:MaxConnections</c> set, the connections beyond the cap are closed and the memory a flood can take
/// is bounded by the cap. Run alone within this project (the sockets count against this process's file limit too).
/// </summary>
[Collection(RunAloneCollection.Name)]
public sealed class ConnectionFloodTests
{
    /// <summary>
    /// 10,000, or fewer where this process's open-file limit is lower (both ends are on this machine: the test and the
    /// server each hold one descriptor per connection, plus what the other tests and the runtime use).
    /// </summary>
    private static readonly int Connections = Math.Min(10_000, OpenFileLimit() - 2_000);

    /// <summary>The HTTP/2 client preface followed by an empty SETTINGS frame (RFC 9113 §3.4).</summary>
    private static readonly byte[] Preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 0x4, 0, 0, 0, 0, 0];

    [Fact]
    public async Task Ten_thousand_idle_connections_leave_the_server_alive_serving_and_its_memory_bounded()
    {
        Assert.True(Connections >= 1_000, $"the open-file limit ({OpenFileLimit()}) leaves room for {Connections} connections; raise it (ulimit -n) to run this test");
        Figures.Record("connection flood: open-file limit of the test process", OpenFileLimit());
        await using var district = await DistrictProcess.StartAsync(maxConnections: null);
        var rssBefore = district.Process.ResidentKiB();

        var (sockets, answered) = await FloodAsync(district.GrpcPort, Connections);
        try
        {
            var rssDuring = district.Process.ResidentKiB();
            var servingDuring = await district.IsServingAsync();
            Figures.Record("connection flood: connections opened / answered with the server's SETTINGS", $"{sockets.Count} / {answered}");
            Figures.Record("connection flood: district resident memory before / with the connections open (MiB)", $"{rssBefore / 1024} / {rssDuring / 1024}");
            Figures.Record("connection flood: resident memory per open connection (KiB)", (rssDuring - rssBefore) / Connections);
            Assert.Equal(Connections, answered);
            Assert.False(district.Process.HasExited, $"the district exited under {Connections} connections:\n" + district.Process.Output);
            Assert.True(servingDuring, $"a normal client was not served while {Connections} connections were open");
            Assert.True(rssDuring - rssBefore < Connections * 100L, $"resident memory grew by {(rssDuring - rssBefore) / 1024} MiB for {Connections} idle connections");
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        // Closed again: the process still serves (new connections, a call).
        await Eventually.WaitUntilAsync(district.IsServingAsync, "the district to serve after the connections closed");
        Figures.Record("connection flood: district resident memory after closing them (MiB)", district.Process.ResidentKiB() / 1024);
        Assert.False(district.Process.HasExited);
    }

    [Fact]
    public async Task With_a_connection_cap_the_connections_beyond_it_are_closed_and_memory_stays_within_the_cap()
    {
        const int cap = 1_000;
        await using var district = await DistrictProcess.StartAsync(maxConnections: cap);
        var rssBefore = district.Process.ResidentKiB();

        // Five times the cap: without the cap, that many connections would take more memory than the bound below.
        var (sockets, answered) = await FloodAsync(district.GrpcPort, 5 * cap);
        try
        {
            var rssDuring = district.Process.ResidentKiB();
            // The normal client's own connection, opened before the flood, holds one of the slots.
            var servingDuring = await district.IsServingAsync();
            Figures.Record($"connection flood with Parks:Endpoints:MaxConnections {cap}: connections opened / answered / closed by the server", $"{sockets.Count} / {answered} / {sockets.Count - answered}");
            Figures.Record($"connection flood with Parks:Endpoints:MaxConnections {cap}: resident memory before / during (MiB)", $"{rssBefore / 1024} / {rssDuring / 1024}");
            Assert.InRange(answered, cap - 10, cap);
            Assert.True(servingDuring, "the client whose connection was open before the flood was not served");
            Assert.True(rssDuring - rssBefore < cap * 100L, $"resident memory grew by {(rssDuring - rssBefore) / 1024} MiB with a cap of {cap} connections");
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        // Slots free again: a new connection is served.
        using var fresh = RpcChannel.ForAddress($"http://127.0.0.1:{district.GrpcPort}");
        await Eventually.WaitUntilAsync(() => DistrictProcess.IsServingAsync(new Health.HealthClient(fresh)), "a new connection to be served after the flood");
    }

    /// <summary>Opens the connections (a hundred at a time: the listen backlog is bounded) and counts those the server answered.</summary>
    private static async Task<(List<Socket> Sockets, int Answered)> FloodAsync(int port, int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (var batch = 0; batch < count; batch += 100)
                sockets.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(100, count - batch)).Select(_ => OpenAsync(port))));
            // Every accepted connection gets the server's SETTINGS frame (type 0x4) first; one beyond a cap is closed.
            var answers = await Task.WhenAll(sockets.Select(ReadsServerSettingsAsync));
            return (sockets, answers.Count(a => a));
        }
        catch
        {
            foreach (var socket in sockets) socket.Dispose();
            throw;
        }
    }

    private static async Task<Socket> OpenAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            try
            {
                await socket.SendAsync(Preface, SocketFlags.None);
            }
            catch (SocketException)
            {
                // Closed by the server at once (beyond its connection cap): counted as not answered.
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<bool> ReadsServerSettingsAsync(Socket socket)
    {
        var header = new byte[9];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var read = 0;
            while (read < header.Length)
            {
                var n = await socket.ReceiveAsync(header.AsMemory(read), SocketFlags.None, timeout.Token);
                if (n == 0) return false;
                read += n;
            }
            return header[3] == 0x4 && (header[4] & 0x1) == 0;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The soft limit on open files of this process (/proc/self/limits), or 1,048,576 where it cannot be read.</summary>
    private static int OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            return soft is null || soft == "unlimited" ? 1_048_576 : (int)Math.Min(int.MaxValue, long.Parse(soft, CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return 1_048_576;
        }
    }
}

/// <summary>
/// A District service process with in-memory state (<see cref="ServiceProcess"/>), and a client of its health that keeps
/// one connection open from before a flood on.
/// </summary>
internal sealed class DistrictProcess : IAsyncDisposable
{
    private readonly ServiceProcess _service;
    private readonly RpcChannel _channel;

    private DistrictProcess(ServiceProcess service)
    {
        _service = service;
        _channel = RpcChannel.ForAddress($"http://{service.Authority}");
    }

    public ChildProcess Process => _service.Process;
    public int GrpcPort => _service.GrpcPort;

    public static async Task<DistrictProcess> StartAsync(long? maxConnections)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Parks__District__Id"] = "lingshui",
            ["Parks__State__Provider"] = "InMemory",
            ["Parks__Events__Provider"] = "InMemory",
        };
        if (maxConnections is { } max) settings["Parks__Endpoints__MaxConnections"] = max.ToString(CultureInfo.InvariantCulture);
        var district = new DistrictProcess(await ServiceProcess.StartAsync("district", ProcessZone.ServiceDll("District"), FreeTcpPort.Next(), FreeTcpPort.Next(), settings));
        // Its connection is opened now, before any flood.
        await Eventually.WaitUntilAsync(district.IsServingAsync, "the district to serve its health client");
        return district;
    }

    /// <summary>Readiness over this client's own connection (opened at the first call and kept).</summary>
    public Task<bool> IsServingAsync() => IsServingAsync(new Health.HealthClient(_channel));

    public static async Task<bool> IsServingAsync(Health.HealthClient health)
    {
        try
        {
            var response = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _service.DisposeAsync();
    }
}
