using System.Collections.Concurrent;
using Grpc.Health.V1;
using Parks.Hosting.Rpc;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;
using Parks.Units.V1;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 4: offered load above what a gateway admits (a gateway with 8 calls at once and, for one caller, 100 calls a
/// second) in front of the real services. The excess is refused with UNAVAILABLE (OVERLOADED) or RESOURCE_EXHAUSTED
/// (RATE_LIMITED), nothing else fails, and the gateway and services serve normally afterwards. Latency under overload
/// is measured by tools/reliability overload, not asserted here.
/// </summary>
[Collection(RealZoneCollection.Name)]
public sealed class OverloadTests(RealZoneFixture fixture)
{
    [Fact]
    public async Task Load_above_the_admission_limits_is_shed_with_unavailable_or_resource_exhausted_and_nothing_breaks()
    {
        var zone = fixture.Zone;
        var enterprises = await fixture.EnterprisesAsync();
        var (channel, _) = await zone.StartExtraGatewayAsync(settings =>
        {
            settings["Parks:Gateway:MaxConcurrentCalls"] = "8";
            settings["Parks:Gateway:CallerRateLimits:district-lingshui:TokensPerSecond"] = "100";
            settings["Parks:Gateway:CallerRateLimits:district-lingshui:Burst"] = "100";
        });
        var lingshui = Parks.Domain.UnitRef.District("lingshui");
        var read = new GetEnterpriseRequest { Name = $"districts/lingshui/enterprises/{enterprises[lingshui]}" };
        var statuses = new ConcurrentDictionary<string, int>();
        var client = new EnterpriseService.EnterpriseServiceClient(channel);

        async Task Flood(string caller, int tasks, int callsEach) => await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < callsEach; i++)
            {
                string outcome;
                try
                {
                    await client.GetEnterpriseAsync(read, zone.As(caller));
                    outcome = "OK";
                }
                catch (RpcException e)
                {
                    outcome = e.StatusCode == StatusCode.Unavailable && e.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == "OVERLOADED" ? "UNAVAILABLE OVERLOADED"
                        : e.StatusCode == StatusCode.ResourceExhausted && e.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == "RATE_LIMITED" ? "RESOURCE_EXHAUSTED RATE_LIMITED"
                        : $"{e.StatusCode} {e.Status.Detail}";
                }
                statuses.AddOrUpdate($"{caller}: {outcome}", 1, (_, n) => n + 1);
            }
        })));

        // 64 callers at once against 8 slots (the dashboard: generous rate), and one rate-limited caller at 4 at once.
        await Task.WhenAll(Flood("dashboard", 64, 10), Flood("district-lingshui", 4, 100));

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"));
        fixture.Record("overload: calls offered (64 x 10 dashboard reads, 4 x 100 district-lingshui reads)", statuses.Values.Sum());
        fixture.Record("overload: outcomes", summary);
        var unexpected = statuses.Where(s => !s.Key.EndsWith(": OK", StringComparison.Ordinal) && !s.Key.EndsWith("OVERLOADED", StringComparison.Ordinal) && !s.Key.EndsWith("RATE_LIMITED", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, "unexpected outcomes: " + summary);
        Assert.Equal(1040, statuses.Values.Sum());
        // 400 calls within a second or two from a caller allowed 100 at once and 100 a second: some were refused.
        Assert.True(statuses.GetValueOrDefault("district-lingshui: RESOURCE_EXHAUSTED RATE_LIMITED") > 0, summary);

        // Afterwards the gateway admits calls again and every service is serving.
        await Parks.Testing.Eventually.WaitUntilAsync(async () =>
        {
            try { await client.GetEnterpriseAsync(read, zone.As("operator")); return true; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable) { return false; }
        }, "the gateway to admit calls after the flood");
        foreach (var host in zone.BackendAddresses.Keys)
        {
            using var direct = RpcChannel.ForAddress(zone.GrpcAddressOf(host));
            var health = await new Health.HealthClient(direct).CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }
}
