using Parks.Domain;
using Parks.Gateway.Tests.Infrastructure;
using Parks.GatewayTest.V1;
using Parks.Hosting.Rpc;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>Calls through the gateway over gRPC reach the backend of the unit they name, with deadlines, streams and errors intact.</summary>
[Collection(ZoneCollection.Name)]
public sealed class RoutingTests(ZoneFixture zone)
{
    private WidgetService.WidgetServiceClient Widgets => new(zone.Gateway.Channel);

    [Theory]
    [InlineData("districts/lingshui/widgets/w1", "district-lingshui")]
    [InlineData("districts/qixianling/widgets/w1", "district-qixianling")]
    [InlineData("districts/xiaopingdao/widgets/w1", "district-xiaopingdao")]
    [InlineData("districts/huangnichuan/widgets/w1", "district-huangnichuan")]
    [InlineData("districts/longwangtang/widgets/w1", "district-longwangtang")]
    [InlineData("districts/longtou/widgets/w1", "district-longtou")]
    [InlineData("parks/jinpu/widgets/w1", "branchparks")]
    [InlineData("parks/wafangdian/widgets/w1", "branchparks")]
    [InlineData("scienceCity/widgets/w1", "sciencecity")]
    [InlineData("innovationRankings/2024", "branchparks")]
    public async Task A_call_reaches_the_instance_of_the_unit_it_names(string name, string backend)
    {
        var widget = await Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name }, zone.Gateway.As("dashboard"));

        Assert.Equal(backend, widget.ServedBy);
        Assert.Equal(name, widget.Name);
        Assert.NotNull(zone.Logs[backend].Last("GetWidget", name));
    }

    [Fact]
    public async Task The_nested_resource_of_an_update_routes_it()
    {
        var name = $"districts/longtou/widgets/{ZoneFixture.Unique("u")}";
        var widget = await Widgets.UpdateWidgetAsync(new UpdateWidgetRequest { Widget = new Widget { Name = name } }, zone.Gateway.As("district-longtou"));

        Assert.Equal("district-longtou", widget.ServedBy);
    }

    [Fact]
    public async Task A_fixed_backend_gets_its_calls_whatever_the_name()
    {
        var ledger = new LedgerService.LedgerServiceClient(zone.Gateway.Channel);
        var entry = await ledger.GetEntryAsync(new GetEntryRequest { Name = "entries/e1" }, zone.Gateway.As("district-lingshui"));
        Assert.Equal("ledger", entry.ServedBy);
    }

    [Theory]
    [InlineData("", "name", "is required")]
    [InlineData("districts/unknown/widgets/w1", "name", "not one of the six districts")]
    [InlineData("districts/lingshui/../qixianling/widgets/w1", "name", "'.' or '..' segment")]
    [InlineData("districts//lingshui/widgets/w1", "name", "empty segment")]
    [InlineData("/districts/lingshui/widgets/w1", "name", "empty segment")]
    [InlineData("districts/lingshui/widgets/w 1", "name", "contains ' '")]
    [InlineData("districts", "name", "collection, not one unit")]
    public async Task A_name_the_gateway_cannot_route_is_invalid_argument_with_the_field(string name, string field, string problem)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name }, zone.Gateway.As("dashboard")).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violation = Assert.Single(ex.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.Contains(problem, violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hidden_and_unlisted_methods_are_unimplemented()
    {
        var hidden = await Assert.ThrowsAsync<RpcException>(() => Widgets.InternalSweepAsync(new ResetWidgetsRequest { Parent = "districts/lingshui" }, zone.Gateway.As("operator")).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, hidden.StatusCode);
        Assert.DoesNotContain(zone.Logs["district-lingshui"].Calls, c => c.Method == "InternalSweep");
    }

    [Fact]
    public async Task The_callers_deadline_reaches_the_backend_and_ends_the_call()
    {
        var name = $"districts/huangnichuan/widgets/{ZoneFixture.Unique("slow")}";
        var deadline = DateTime.UtcNow.AddMilliseconds(400);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name, DelayMs = 10_000 }, zone.Gateway.As("dashboard", deadline)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        var served = zone.Logs["district-huangnichuan"].Last("GetWidget", name);
        Assert.NotNull(served);
        // The backend got the caller's deadline (a grpc-timeout computed from what remained), not the 30 s default:
        // only the time the call took to reach the backend separates the two.
        Assert.True(served.Deadline < deadline.AddSeconds(5), $"backend deadline {served.Deadline:O}, caller's {deadline:O}");
    }

    [Fact]
    public async Task A_call_without_a_deadline_gets_the_gateways_default()
    {
        var name = $"districts/qixianling/widgets/{ZoneFixture.Unique("d")}";
        var headers = zone.Gateway.As("dashboard").Headers;
        await Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name }, new CallOptions(headers));

        var served = zone.Logs["district-qixianling"].Last("GetWidget", name)!;
        Assert.NotEqual(DateTime.MaxValue, served.Deadline);
        Assert.True(served.Deadline <= DateTime.UtcNow.AddSeconds(31));
    }

    [Fact]
    public async Task Cancelling_the_call_cancels_the_backend_call()
    {
        var log = zone.Logs["district-xiaopingdao"];
        var before = Volatile.Read(ref log.Cancelled);
        using var cts = new CancellationTokenSource();
        var name = $"districts/xiaopingdao/widgets/{ZoneFixture.Unique("c")}";
        var options = zone.Gateway.As("dashboard").WithCancellationToken(cts.Token);
        var call = Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name, DelayMs = 30_000 }, options);
        while (log.Last("GetWidget", name) is null) await Task.Delay(10);

        cts.Cancel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        while (Volatile.Read(ref log.Cancelled) == before) await Task.Delay(10);
    }

    [Fact]
    public async Task Server_streams_are_proxied_message_by_message()
    {
        using var call = Widgets.WatchWidgets(new WatchWidgetsRequest { Parent = "districts/longwangtang", Count = 5 }, zone.Gateway.As("dashboard"));
        var names = new List<string>();
        await foreach (var widget in call.ResponseStream.ReadAllAsync()) names.Add(widget.Name);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"districts/longwangtang/widgets/w{i}"), names);
    }

    [Fact]
    public async Task Client_streams_are_proxied_and_every_message_stays_in_the_callers_unit()
    {
        using (var ok = Widgets.ImportWidgets(zone.Gateway.As("district-lingshui")))
        {
            await ok.RequestStream.WriteAsync(new CreateWidgetRequest { Parent = "districts/lingshui", WidgetId = "i1" });
            await ok.RequestStream.WriteAsync(new CreateWidgetRequest { Parent = "districts/lingshui", WidgetId = "i2" });
            await ok.RequestStream.CompleteAsync();
            Assert.Equal(2, (await ok.ResponseAsync).Imported);
        }

        using var smuggled = Widgets.ImportWidgets(zone.Gateway.As("district-lingshui"));
        await smuggled.RequestStream.WriteAsync(new CreateWidgetRequest { Parent = "districts/lingshui", WidgetId = "i3" });
        try
        {
            await smuggled.RequestStream.WriteAsync(new CreateWidgetRequest { Parent = "districts/qixianling", WidgetId = "i4" });
            await smuggled.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The gateway may end the call before the client finishes writing.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(() => smuggled.ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.DoesNotContain(zone.Logs["district-lingshui"].Calls, c => c.Method == "ImportWidgets" && c.Resource == "districts/qixianling");
    }

    [Fact]
    public async Task Backend_errors_reach_the_client_with_their_details()
    {
        var name = "districts/lingshui/widgets/missing";
        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name }, zone.Gateway.As("dashboard")).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(name, ex.GetDetail<Google.Rpc.ResourceInfo>()!.ResourceName);
    }

    [Fact]
    public async Task A_backend_that_is_down_fails_fast_with_unavailable_naming_no_address()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, BackendServer>(), settings =>
            settings["Parks:Services:district-longtou"] = $"http://127.0.0.1:{Repo.FreePort()}");
        var widgets = new WidgetService.WidgetServiceClient(gateway.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => widgets.GetWidgetAsync(new GetWidgetRequest { Name = "districts/longtou/widgets/w1" }, gateway.As("dashboard", DateTime.UtcNow.AddMinutes(2))).ResponseAsync);

        // UNAVAILABLE, not DEADLINE_EXCEEDED: the call failed on the refused connection instead of waiting out its deadline.
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("district-longtou", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", ex.Status.Detail, StringComparison.Ordinal);
        var unconfigured = await Assert.ThrowsAsync<RpcException>(() => widgets.GetWidgetAsync(new GetWidgetRequest { Name = "districts/lingshui/widgets/w1" }, gateway.As("dashboard")).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unconfigured.StatusCode);
    }

    [Fact]
    public async Task Client_metadata_is_forwarded_but_credentials_and_claimed_identity_are_not()
    {
        var name = $"districts/lingshui/widgets/{ZoneFixture.Unique("m")}";
        var extra = new Metadata
        {
            { "x-request-id", "req-42" },
            { "x-parks-caller", "operator" },
            { "x-parks-caller-role", "operator" },
            { "x-parks-caller-sig", "00" },
        };
        var widget = await Widgets.GetWidgetAsync(new GetWidgetRequest { Name = name }, zone.Gateway.As("district-qixianling", extra: extra));

        Assert.Equal("district-qixianling", widget.Caller);
        Assert.Equal("districts/qixianling", widget.CallerUnit);
        var served = zone.Logs["district-lingshui"].Last("GetWidget", name)!;
        Assert.Equal("req-42", served.Headers["x-request-id"]);
        Assert.False(served.Headers.ContainsKey("authorization"));
        Assert.Equal("district-qixianling", served.Headers["x-parks-caller"]);
    }
}
