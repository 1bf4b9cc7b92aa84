using Grpc.Health.V1;
using Parks.Observability.Tests.Support;
using Parks.Rpc;

namespace Parks.Observability.Tests;

public sealed class MetricsEndpointTests
{
    private const string CheckMethod = "/grpc.health.v1.Health/Check";

    [Fact]
    public async Task Metrics_page_parses_and_counts_calls_per_method_and_status()
    {
        await using var host = await InProcessHost.StartAsync("metrics-a");
        using var channel = RpcChannel.ForAddress(host.GrpcAddress);
        var health = new Health.HealthClient(channel);
        for (var i = 0; i < 3; i++) await health.CheckAsync(new HealthCheckRequest { Service = "readiness" });
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "no-such-service" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var page = PromPage.Parse(await host.GetMetricsAsync());

        PromSample Calls(string code) => Assert.Single(page.Named("parks_rpc_server_calls_total"),
            s => s.Label("rpc_method") == CheckMethod && s.Label("rpc_grpc_status_code") == code);
        Assert.Equal(3, Calls("0").Value);
        Assert.Equal(1, Calls("5").Value);
        Assert.Equal(3, Assert.Single(page.Named("parks_rpc_server_duration_seconds_count"),
            s => s.Label("rpc_method") == CheckMethod && s.Label("rpc_grpc_status_code") == "0").Value);
        Assert.Equal(0, Assert.Single(page.Named("parks_rpc_server_active_calls"), s => s.Label("rpc_method") == CheckMethod).Value);
        // Client metrics are process-wide (channels have no host), so other tests' calls may add to them.
        Assert.True(page.Named("parks_rpc_client_calls_total").Where(s => s.Label("rpc_method") == CheckMethod).Sum(s => s.Value) >= 4);
        Assert.Equal("histogram", page.Types["parks_rpc_client_duration_seconds"]);
        Assert.True(Assert.Single(page.Named("process_resident_memory_bytes")).Value > 0);
        Assert.True(Assert.Single(page.Named("process_start_time_seconds")).Value > 1_600_000_000);
        Assert.Equal("counter", page.Types["process_cpu_seconds_total"]);
    }

    [Fact]
    public async Task Two_hosts_in_one_process_each_report_only_their_own_calls()
    {
        await using var first = await InProcessHost.StartAsync("metrics-first");
        await using var second = await InProcessHost.StartAsync("metrics-second");
        using var channel = RpcChannel.ForAddress(first.GrpcAddress);
        var health = new Health.HealthClient(channel);
        await health.CheckAsync(new HealthCheckRequest());
        await health.CheckAsync(new HealthCheckRequest());

        var firstPage = PromPage.Parse(await first.GetMetricsAsync());
        var secondPage = PromPage.Parse(await second.GetMetricsAsync());

        Assert.Equal(2, Assert.Single(firstPage.Named("parks_rpc_server_calls_total"), s => s.Label("rpc_method") == CheckMethod).Value);
        Assert.DoesNotContain(secondPage.Named("parks_rpc_server_calls_total"), s => s.Label("rpc_method") == CheckMethod);
    }

    [Fact]
    public async Task Metrics_are_served_on_the_http_port_over_http_1_1()
    {
        await using var host = await InProcessHost.StartAsync("metrics-http");
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version11 };

        using var response = await http.GetAsync(host.HttpAddress + "/metrics");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        PromPage.Parse(await response.Content.ReadAsStringAsync());
    }
}
