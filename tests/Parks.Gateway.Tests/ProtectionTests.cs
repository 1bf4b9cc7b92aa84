using System.Net;
using Parks.Gateway.Tests.Fakes;
using Parks.Gateway.Tests.Infrastructure;
using Parks.GatewayTest.V1;
using Parks.Hosting.Rpc;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>Overload is answered with RESOURCE_EXHAUSTED (a caller's rate) or UNAVAILABLE (the gateway is full), never by falling over.</summary>
public sealed class ProtectionTests : IAsyncLifetime
{
    private BackendServer _lingshui = null!;
    private readonly CallLog _log = new();
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _lingshui = await BackendServer.StartAsync("district-lingshui", rpc => rpc.AddService(_ => new WidgetBackend("district-lingshui", _log).BindService()));
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, BackendServer> { ["district-lingshui"] = _lingshui }, settings =>
        {
            // A tiny allowance for one caller: 2 calls at once, then 1 a second (refills slowly enough not to matter here).
            settings["Parks:Gateway:CallerRateLimits:district-qixianling:TokensPerSecond"] = "1";
            settings["Parks:Gateway:CallerRateLimits:district-qixianling:Burst"] = "2";
            settings["Parks:Gateway:MaxConcurrentCalls"] = "3";
            settings["Parks:Gateway:MaxRequestBytes"] = "2048";
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _lingshui.DisposeAsync();
    }

    [Fact]
    public async Task A_caller_over_its_rate_gets_resource_exhausted_with_retry_info_and_others_are_not_affected()
    {
        var widgets = new WidgetService.WidgetServiceClient(_gateway.Channel);
        var request = new GetWidgetRequest { Name = "districts/lingshui/widgets/r" };
        var outcomes = new List<StatusCode>();
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await widgets.GetWidgetAsync(request, _gateway.As("district-qixianling"));
                outcomes.Add(StatusCode.OK);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                outcomes.Add(ex.StatusCode);
                Assert.NotNull(ex.GetDetail<Google.Rpc.RetryInfo>());
                Assert.Equal("RATE_LIMITED", ex.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
            }
        }
        Assert.Contains(StatusCode.ResourceExhausted, outcomes);
        Assert.True(outcomes.Count(o => o == StatusCode.OK) <= 3, string.Join(",", outcomes));

        // Another caller has its own bucket.
        for (var i = 0; i < 6; i++) await widgets.GetWidgetAsync(request, _gateway.As("district-lingshui"));

        // REST gets 429 with Retry-After (the bucket refills one call a second, so a few calls in a row exhaust it).
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 5 && limited is null; i++)
        {
            var response = await _gateway.Http.SendAsync(_gateway.Rest(HttpMethod.Get, "/v1/districts/lingshui/widgets/r", "district-qixianling"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else response.Dispose();
        }
        Assert.NotNull(limited);
        using (limited)
        {
            await RestJsonTests.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED", 8);
            Assert.NotNull(limited.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task Calls_beyond_the_concurrency_limit_are_refused_at_once_with_unavailable()
    {
        var widgets = new WidgetService.WidgetServiceClient(_gateway.Channel);
        using var release = new CancellationTokenSource();
        var slow = Enumerable.Range(0, 3).Select(i =>
            widgets.GetWidgetAsync(new GetWidgetRequest { Name = $"districts/lingshui/widgets/slow{i}", DelayMs = 60_000 }, _gateway.As("district-lingshui").WithCancellationToken(release.Token)).ResponseAsync).ToArray();
        while (_log.Calls.Count(c => c.Resource.Contains("/slow", StringComparison.Ordinal)) < 3) await Task.Delay(10);

        var ex = await Assert.ThrowsAsync<RpcException>(() => widgets.GetWidgetAsync(new GetWidgetRequest { Name = "districts/lingshui/widgets/extra" }, _gateway.As("district-lingshui")).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal("OVERLOADED", ex.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);

        release.Cancel();
        foreach (var call in slow) await Assert.ThrowsAsync<RpcException>(() => call);
        // Capacity comes back once the gateway has ended the cancelled calls (just after their callers saw them end).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var ok = await widgets.GetWidgetAsync(new GetWidgetRequest { Name = "districts/lingshui/widgets/after" }, _gateway.As("district-lingshui"));
                Assert.Equal("district-lingshui", ok.ServedBy);
                break;
            }
            catch (RpcException retry) when (retry.StatusCode == StatusCode.Unavailable && attempt < 100)
            {
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task Oversized_requests_are_refused_before_reaching_a_backend()
    {
        var widgets = new WidgetService.WidgetServiceClient(_gateway.Channel);
        var big = new CreateWidgetRequest { Parent = "districts/lingshui", WidgetId = "big", Widget = new Widget { DisplayName = new string('x', 4096) } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => widgets.CreateWidgetAsync(big, _gateway.As("district-lingshui")).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);

        var json = "{\"parent\":\"districts/lingshui\",\"widget\":{\"displayName\":\"" + new string('x', 4096) + "\"}}";
        using var rest = await _gateway.Http.SendAsync(_gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "district-lingshui", json));
        await RestJsonTests.ProblemAsync(rest, HttpStatusCode.RequestEntityTooLarge, "RESOURCE_EXHAUSTED", 8);
        Assert.DoesNotContain(_log.Calls, c => c.Resource == "districts/lingshui" && c.Method == "CreateWidget");
    }
}
