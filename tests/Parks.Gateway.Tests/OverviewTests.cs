using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Gateway.Domain;
using Parks.Gateway.Overview;
using Parks.Gateway.Proxy;
using Parks.Gateway.ReferenceData;
using Parks.Gateway.Tests.Fakes;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Gateway.V1;
using Parks.Hosting;
using Parks.Hosting.Security;
using Parks.Rpc;
using UnitKind = Parks.Gateway.V1.UnitKind;

namespace Parks.Gateway.Tests;

/// <summary>The city overview keeps answering when a unit does not, and says so: degraded with the time of its last good figures.</summary>
public sealed class OverviewTests
{
    [Fact]
    public async Task A_stopped_district_is_marked_degraded_with_its_last_good_time_and_recovers_when_it_returns()
    {
        var backends = new Dictionary<string, BackendServer>();
        foreach (var name in ZoneFixture.UnitBackends.Append("talent").Append("finance"))
        {
            var log = new CallLog();
            backends[name] = await BackendServer.StartAsync(name, rpc =>
            {
                rpc.AddService(_ => new WidgetBackend(name, log).BindService());
                foreach (var service in AnyMethodBackend.ProductServices(TestSettings.Api.AllowList))
                    rpc.AddService(_ => AnyMethodBackend.Build(TestSettings.Api.AllowList, TestSettings.Api.Catalog, service, log));
            });
        }
        try
        {
            await using var gateway = await GatewayHost.StartAsync(backends);
            var client = new CityOverviewService.CityOverviewServiceClient(gateway.Channel);

            var before = (await client.GetCityOverviewAsync(new GetCityOverviewRequest(), gateway.As("dashboard"))).Overview;
            Assert.Equal(1 + 6 + 5, before.Units.Count);
            Assert.All(before.Units, u => Assert.Equal(Freshness.Current, u.Status.Freshness));
            Assert.True(before.Totals.Complete);
            var lastGood = before.Units.Single(u => u.Unit == "districts/longtou").Status.AsOf;

            await backends["district-longtou"].StopAsync();
            var during = await PollAsync(client, gateway, o => o.Units.Single(u => u.Unit == "districts/longtou").Status.Freshness == Freshness.Degraded);

            var longtou = during.Units.Single(u => u.Unit == "districts/longtou");
            Assert.NotNull(longtou.Status.AsOf);
            Assert.True(longtou.Status.AsOf.ToDateTimeOffset() >= lastGood.ToDateTimeOffset(), "as_of is the last good fetch");
            Assert.True(longtou.Status.AsOf.ToDateTimeOffset() < longtou.Status.LastAttemptTime.ToDateTimeOffset(), "the latest attempt failed after the last good fetch");
            Assert.StartsWith("UNAVAILABLE", longtou.Status.Error, StringComparison.Ordinal);
            Assert.All(during.Units.Where(u => u.Unit != "districts/longtou"), u => Assert.Equal(Freshness.Current, u.Status.Freshness));
            Assert.False(during.Totals.Complete);
            Assert.Equal(11, during.Totals.UnitsReporting);
            Assert.Contains(during.Warnings, w => w.Kind == WarningKind.Degraded && w.Subject == "districts/longtou");

            // The REST form the dashboard reads says the same.
            using (var rest = await gateway.Http.SendAsync(gateway.Rest(HttpMethod.Get, "/v1/overview", "dashboard")))
            {
                Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
                using var json = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
                var section = json.RootElement.GetProperty("overview").GetProperty("units").EnumerateArray().Single(u => u.GetProperty("unit").GetString() == "districts/longtou");
                Assert.Equal("FRESHNESS_DEGRADED", section.GetProperty("status").GetProperty("freshness").GetString());
                Assert.True(section.GetProperty("status").TryGetProperty("asOf", out _));
            }

            await backends["district-longtou"].StartAsync();
            await PollAsync(client, gateway, o => o.Units.Single(u => u.Unit == "districts/longtou").Status.Freshness == Freshness.Current);
        }
        finally
        {
            foreach (var backend in backends.Values) await backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_unit_that_never_answered_is_unavailable_without_figures_or_time()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, BackendServer>());
        using var rest = await gateway.Http.SendAsync(gateway.Rest(HttpMethod.Get, "/v1/overview", "dashboard"));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        using var json = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
        var overview = json.RootElement.GetProperty("overview");

        foreach (var unit in overview.GetProperty("units").EnumerateArray())
        {
            Assert.Equal("FRESHNESS_UNAVAILABLE", unit.GetProperty("status").GetProperty("freshness").GetString());
            Assert.False(unit.GetProperty("status").TryGetProperty("asOf", out _));
            Assert.False(unit.TryGetProperty("enterpriseCount", out _));
        }
        Assert.False(overview.GetProperty("totals").TryGetProperty("enterpriseCount", out _));
        // The zone's reference KPIs do not depend on any unit.
        var kpi = overview.GetProperty("kpis").EnumerateArray().First(k => k.GetProperty("indicator").GetString() == "zone/indicators/hightech_enterprises");
        Assert.Equal(1269, kpi.GetProperty("latest").GetProperty("quantity").GetDouble());
    }

    [Fact]
    public async Task Degraded_figures_are_the_last_good_ones_and_totals_count_only_current_units()
    {
        var lingshui = new ScriptedSource("district-lingshui", "districts/lingshui", 120);
        var longtou = new ScriptedSource("district-longtou", "districts/longtou", 30);
        var never = new ScriptedSource("district-qixianling", "districts/qixianling", 7) { Failing = true };
        var composer = Composer(lingshui, longtou, never);

        var first = await composer.ComposeAsync(DateTime.MaxValue, CancellationToken.None);
        Assert.Equal(120 + 30, first.Totals.EnterpriseCount);
        Assert.Equal(2, first.Totals.UnitsReporting);

        longtou.Failing = true;
        longtou.Count = 99;
        // The failure is noticed by a background refresh: wait for it, then compose again.
        CityOverview second;
        var attempts = 0;
        do
        {
            second = await composer.ComposeAsync(DateTime.MaxValue, CancellationToken.None);
            Assert.True(++attempts < 500, "the failure was never noticed");
            await Task.Delay(5);
        }
        while (second.Units.Single(u => u.Unit == "districts/longtou").Status.Freshness != Freshness.Degraded);

        var degraded = second.Units.Single(u => u.Unit == "districts/longtou");
        Assert.Equal(30, degraded.EnterpriseCount);
        var unavailable = second.Units.Single(u => u.Unit == "districts/qixianling");
        Assert.Equal(Freshness.Unavailable, unavailable.Status.Freshness);
        Assert.False(unavailable.HasEnterpriseCount);
        Assert.Null(unavailable.Status.AsOf);
        Assert.Equal(120, second.Totals.EnterpriseCount);
        Assert.False(second.Totals.Complete);
    }

    [Fact]
    public async Task A_unit_that_hangs_costs_a_call_no_more_than_its_deadline()
    {
        var hanging = new ScriptedSource("district-lingshui", "districts/lingshui", 5) { Hang = true };
        var composer = Composer(hanging);

        var overview = await composer.ComposeAsync(DateTime.UtcNow.AddMilliseconds(300), CancellationToken.None);

        var section = overview.Units.Single();
        Assert.Equal(Freshness.Unavailable, section.Status.Freshness);
        Assert.StartsWith("DEADLINE_EXCEEDED", section.Status.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, false, false, "WaitForRefresh")]
    [InlineData(500, false, false, false, "Serve")]
    [InlineData(500, false, false, true, "ServeAndRefresh")]
    [InlineData(5_000, false, false, false, "ServeAndRefresh")]
    [InlineData(5_000, false, true, false, "Serve")]
    [InlineData(60_000, false, false, false, "WaitForRefresh")]
    [InlineData(60_000, true, false, false, "ServeAndRefresh")]
    [InlineData(null, true, false, false, "ServeAndRefresh")]
    [InlineData(null, true, true, false, "Serve")]
    public void Freshness_rules(int? ageMs, bool failed, bool refreshing, bool invalidated, string expected)
    {
        var now = DateTimeOffset.UtcNow;
        var policy = new FreshnessPolicy(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
        var times = new SourceTimes(ageMs is { } a ? now.AddMilliseconds(-a) : null, failed ? now.AddSeconds(-10) : null, failed, refreshing, invalidated);

        Assert.Equal(expected, OverviewFreshness.Decide(now, times, policy).ToString());
    }

    private static async Task<CityOverview> PollAsync(CityOverviewService.CityOverviewServiceClient client, GatewayHost gateway, Func<CityOverview, bool> until)
    {
        for (var attempt = 0; ; attempt++)
        {
            var overview = (await client.GetCityOverviewAsync(new GetCityOverviewRequest(), gateway.As("dashboard"))).Overview;
            if (until(overview)) return overview;
            if (attempt > 300) throw new Xunit.Sdk.XunitException("the overview never reached the expected state: " + overview);
            await Task.Delay(50);
        }
    }

    private static CityOverviewComposer Composer(params ScriptedSource[] sources)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(sources.ToDictionary(s => $"Parks:Services:{s.Backend}", s => (string?)"http://127.0.0.1:9")).Build();
        var options = Options.Create(new GatewayOptions { Overview = new OverviewOptions { UnitTimeoutMilliseconds = 2_000, FreshMilliseconds = 0, RetryFailedAfterMilliseconds = 0 } });
        var signer = new CallerSigner(Options.Create(new SecurityOptions { InternalKey = TestSettings.InternalKey }));
        return new CityOverviewComposer(sources, new BackendRegistry(configuration, options), new ZoneServiceImpl(ZoneData.LoadEmbedded()), signer,
            Options.Create(new ServiceIdentityOptions { Name = "gateway" }), options, TimeProvider.System, NullLogger<CityOverviewComposer>.Instance);
    }

    /// <summary>An overview source whose answers a test scripts: figures, failure, or no answer at all.</summary>
    private sealed class ScriptedSource(string backend, string unit, long count) : IOverviewSource
    {
        public volatile bool Failing;
        public volatile bool Hang;
        public long Count = count;

        public string Backend { get; } = backend;

        public IReadOnlyList<UnitSection> Placeholders { get; } = [new UnitSection { Unit = unit, Kind = UnitKind.District }];

        public async Task<OverviewPart> FetchAsync(Backend target, CallOptions options)
        {
            if (Hang) await Task.Delay(TimeSpan.FromSeconds(5));
            if (Failing) throw new RpcException(new Status(StatusCode.Unavailable, "scripted failure"));
            return new UnitsPart([new UnitSection { Unit = unit, Kind = UnitKind.District, EnterpriseCount = Count }]);
        }
    }
}
