using System.Text.Json;

namespace Parks.Rpc.Tests;

/// <summary>Health and server reflection seen by an independent client (@grpc/grpc-js) over the real protocol.</summary>
public sealed class HealthAndReflectionTests : IAsyncLifetime
{
    private RpcTestServer _server = null!;

    public async Task InitializeAsync() => _server = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Theory]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task A_standard_client_checks_health_lists_describes_and_calls_through_reflection(string version)
    {
        var (exitCode, output) = await Node.RunAsync(TimeSpan.FromSeconds(60), "interop/reflection.js", Path.Combine(Repo.Root, "protos"), $"127.0.0.1:{_server.GrpcPort}", version);
        Assert.True(exitCode == 0, output);
        // reflection.js loads grpc.testing from descriptors only; the health/reflection protos from protos/.
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("SERVING", root.GetProperty("overall").GetProperty("status").GetString());
        Assert.Equal("SERVING", root.GetProperty("readiness").GetProperty("status").GetString());
        Assert.Equal(5, root.GetProperty("unknown").GetProperty("code").GetInt32()); // NOT_FOUND

        var services = root.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToArray();
        Assert.Contains("grpc.testing.TestService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);

        Assert.Equal(5, root.GetProperty("missing").GetProperty("error_code").GetInt32());
        Assert.Equal(3, root.GetProperty("files").GetInt32()); // test.proto + empty.proto + messages.proto
        Assert.Equal(7, root.GetProperty("dynamicCall").GetProperty("size").GetInt32());
    }

    [Fact]
    public async Task Health_reports_not_serving_once_shutdown_begins()
    {
        var server = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());
        using var channel = RpcChannel.ForAddress(server.Address);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var watch = health.Watch(new Grpc.Health.V1.HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        var stopping = server.DisposeAsync();
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        watch.Dispose();
        await stopping;
    }
}
