using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Parks.Rpc;

namespace Parks.Observability.Tests.Support;

/// <summary>The observability test app as a separate process on free ports; its output lines are kept.</summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildHost(Process process, int grpcPort)
    {
        _process = process;
        GrpcPort = grpcPort;
    }

    public int GrpcPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public IReadOnlyCollection<string> Output => _output;

    public static async Task<ChildHost> StartAsync(IDictionary<string, string> environment)
    {
        var grpcPort = TestEnvironment.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(TestEnvironment.TestAppDll)!,
        };
        start.ArgumentList.Add(TestEnvironment.TestAppDll);
        start.Environment["Parks__Endpoints__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Parks__Endpoints__HttpPort"] = TestEnvironment.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["Parks__Endpoints__BindAddress"] = "127.0.0.1";
        start.Environment["Parks__Security__InternalKey"] = "observability-tests-key-0123456789abcdef";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new ChildHost(process, grpcPort);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitReadyAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task WaitReadyAsync()
    {
        using var channel = RpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException("The test app exited: " + string.Join("\n", _output));
            try
            {
                var response = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
                if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving) return;
            }
            catch (RpcException) when (!timeout.IsCancellationRequested)
            {
            }
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Delay(100, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
