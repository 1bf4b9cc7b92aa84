using System.Diagnostics;
using Parks.Rpc.Tests.Interop;

namespace Parks.Rpc.Tests;

/// <summary>
/// The standard gRPC interop cases, both directions: @grpc/grpc-js as the client of the Parks server, and the
/// Parks client against a @grpc/grpc-js server (and against the Parks server).
/// </summary>
public sealed class InteropTests : IClassFixture<InteropTests.Servers>
{
    public static readonly TheoryData<string> Cases = new(InteropCases.Names);

    private readonly Servers _servers;

    public InteropTests(Servers servers) => _servers = servers;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GrpcJsClient_passes_against_the_Parks_server(string testCase)
    {
        // grpc-js runs every case once in one process (node start-up is slow); each case reports its own line.
        var results = await _servers.GrpcJsClientResults.Value;
        var line = results.SingleOrDefault(l => l.StartsWith(testCase + " ", StringComparison.Ordinal));
        Assert.True(line == testCase + " PASS", line ?? $"no result for {testCase}: {string.Join('\n', results)}");
    }

    [Fact]
    public async Task The_Parks_server_logged_no_errors_while_grpc_js_ran_the_cases()
    {
        await _servers.GrpcJsClientResults.Value;
        Assert.Empty(_servers.GrpcJsRunErrors);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ParksClient_passes_against_a_GrpcJs_server(string testCase)
    {
        using var channel = RpcChannel.ForAddress($"http://127.0.0.1:{_servers.GrpcJsPort}");
        await InteropCases.RunAsync(testCase, channel);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ParksClient_passes_against_the_Parks_server(string testCase)
    {
        var mark = _servers.Parks.Errors.Mark();
        using var channel = RpcChannel.ForAddress(_servers.Parks.Address);
        await InteropCases.RunAsync(testCase, channel);
        Assert.Empty(_servers.Parks.Errors.Since(mark));
    }

    public sealed class Servers : IAsyncLifetime
    {
        private Process? _grpcJs;

        public RpcTestServer Parks { get; private set; } = null!;
        public int GrpcJsPort { get; private set; }
        public Lazy<Task<string[]>> GrpcJsClientResults { get; }
        public List<string> GrpcJsRunErrors { get; } = [];

        public Servers() => GrpcJsClientResults = new(RunGrpcJsClientAsync);

        private async Task<string[]> RunGrpcJsClientAsync()
        {
            var mark = Parks.Errors.Mark();
            var (_, output) = await Node.RunAsync(TimeSpan.FromSeconds(120), "interop/client.js", Repo.TestProtos, $"127.0.0.1:{Parks.GrpcPort}", "all");
            GrpcJsRunErrors.AddRange(Parks.Errors.Since(mark));
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public async Task InitializeAsync()
        {
            Parks = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());
            (_grpcJs, GrpcJsPort) = await Node.StartServerAsync("interop/server.js", Repo.TestProtos);
        }

        public async Task DisposeAsync()
        {
            if (_grpcJs is { HasExited: false })
            {
                _grpcJs.Kill(entireProcessTree: true);
                await _grpcJs.WaitForExitAsync();
            }
            _grpcJs?.Dispose();
            await Parks.DisposeAsync();
        }
    }
}
