using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Parks.Domain;
using Parks.Hosting.Rpc;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Reliability;

internal sealed record OverloadOptions(int Seconds, int Callers, int Limit, int BaselineSeconds, int BaselineCallers, int RateLimited)
{
    public static OverloadOptions Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        int Get(string name, int fallback) => list.IndexOf(name) is var i and >= 0 && i + 1 < list.Count ? int.Parse(list[i + 1], CultureInfo.InvariantCulture) : fallback;
        return new OverloadOptions(Get("--seconds", 120), Get("--callers", 256), Get("--limit", 32), Get("--baseline-seconds", 15), Get("--baseline-callers", 4), Get("--rate-limited", 100));
    }
}

/// <summary>
/// Case 4, heavy: a real District process (lingshui) behind a real gateway process, both from their build output, the
/// gateway admitting <c>--limit</c> calls at once and the lingshui system <c>--rate-limited</c> calls a second. First a
/// baseline below the limit (<c>--baseline-callers</c> closed-loop callers), then <c>--callers</c> dashboard callers and
/// 8 lingshui callers in closed loops for <c>--seconds</c>, all reading an enterprise through the gateway with a 5 s
/// deadline. Counted: every answer by status and reason; latency of admitted (OK) calls in both phases and of refusals;
/// the resident memory of both processes once a second. Afterwards both processes must be alive and serving and the
/// gateway must admit a call. Exit code 1 when an answer was anything but OK, OVERLOADED or RATE_LIMITED, or a process
/// died or stopped serving.
/// </summary>
internal static class OverloadRun
{
    private const string InternalKey = "reliability-overload-test-only-internal-key-0123456789";

    public static async Task<int> RunAsync(OverloadOptions options)
    {
        var keys = new[] { "dashboard", "district-lingshui" }.ToDictionary(c => c, c => $"reliability-overload-test-only-{c}-{Guid.NewGuid():N}");
        var (districtGrpc, districtHttp, gatewayGrpc, gatewayHttp) = (FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
        await using var district = await StartAsync("services/District/Parks.District", "Parks.District", districtGrpc, districtHttp, new()
        {
            ["Parks__District__Id"] = "lingshui",
            ["Parks__State__Provider"] = "InMemory",
            ["Parks__Events__Provider"] = "InMemory",
        });
        var gatewaySettings = new Dictionary<string, string?>
        {
            ["Parks__Services__district-lingshui"] = $"http://127.0.0.1:{districtGrpc}",
            ["Parks__Gateway__MaxConcurrentCalls"] = options.Limit.ToString(CultureInfo.InvariantCulture),
            ["Parks__Gateway__CallerRateLimits__dashboard__TokensPerSecond"] = "1000000",
            ["Parks__Gateway__CallerRateLimits__dashboard__Burst"] = "1000000",
            ["Parks__Gateway__CallerRateLimits__district-lingshui__TokensPerSecond"] = options.RateLimited.ToString(CultureInfo.InvariantCulture),
            ["Parks__Gateway__CallerRateLimits__district-lingshui__Burst"] = options.RateLimited.ToString(CultureInfo.InvariantCulture),
            ["Parks__State__Provider"] = "InMemory",
            ["Parks__Events__Provider"] = "InMemory",
        };
        foreach (var (caller, key) in keys) gatewaySettings[$"Parks__Gateway__ApiKeys__{caller}"] = key;
        await using var gateway = await StartAsync("gateway/Parks.Gateway", "Parks.Gateway", gatewayGrpc, gatewayHttp, gatewaySettings);

        using var channel = RpcChannel.ForAddress($"http://127.0.0.1:{gatewayGrpc}");
        var client = new EnterpriseService.EnterpriseServiceClient(channel);
        CallOptions As(string caller) => new(new Metadata { { "authorization", "Bearer " + keys[caller] } }, DateTime.UtcNow.AddSeconds(5));
        var uscc = UnifiedSocialCreditCode.FromBody("91210200RL0000001").Value;
        await client.CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = "districts/lingshui",
            Enterprise = new Enterprise { Uscc = uscc, DisplayName = "过载测试企业", Industry = "intelligent-manufacturing", RegistrationDate = new Google.Type.Date { Year = 2015, Month = 5, Day = 20 } },
        }, As("district-lingshui"));
        var read = new GetEnterpriseRequest { Name = $"districts/lingshui/enterprises/{uscc}" };

        Console.WriteLine($"overload: gateway admits {options.Limit} calls at once, lingshui's system {options.RateLimited}/s; district pid {district.Id}, gateway pid {gateway.Id}");
        var baseline = await LoadAsync(client, read, As, [("dashboard", options.BaselineCallers)], options.BaselineSeconds, district, gateway);
        Report("baseline", options.BaselineCallers + " dashboard callers", baseline);
        var overload = await LoadAsync(client, read, As, [("dashboard", options.Callers), ("district-lingshui", 8)], options.Seconds, district, gateway);
        Report("overload", $"{options.Callers} dashboard + 8 lingshui callers", overload);

        var problems = new List<string>();
        var unexpected = overload.Outcomes.Concat(baseline.Outcomes).Where(o => !o.Key.EndsWith(" OK", StringComparison.Ordinal) && !o.Key.EndsWith("OVERLOADED", StringComparison.Ordinal) && !o.Key.EndsWith("RATE_LIMITED", StringComparison.Ordinal)).ToList();
        if (unexpected.Count > 0) problems.Add("unexpected answers: " + string.Join(", ", unexpected.Select(o => $"{o.Key} {o.Value}")));
        foreach (var (name, process, port) in new[] { ("district", district, districtGrpc), ("gateway", gateway, gatewayGrpc) })
        {
            if (process.HasExited) { problems.Add($"{name} exited:\n{process.Output}"); continue; }
            using var direct = RpcChannel.ForAddress($"http://127.0.0.1:{port}");
            try
            {
                var health = await new Health.HealthClient(direct).CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
                Console.WriteLine($"after: {name} alive, readiness {health.Status}");
                if (health.Status != HealthCheckResponse.Types.ServingStatus.Serving) problems.Add($"{name} not serving afterwards");
            }
            catch (RpcException e)
            {
                problems.Add($"{name} did not answer its health check afterwards: {e.StatusCode} {e.Status.Detail}");
            }
        }
        try
        {
            await client.GetEnterpriseAsync(read, As("dashboard"));
            Console.WriteLine("after: the gateway admits a call");
        }
        catch (RpcException e)
        {
            problems.Add($"the gateway did not admit a call afterwards: {e.StatusCode} {e.Status.Detail}");
        }
        foreach (var problem in problems) Console.WriteLine("PROBLEM: " + problem);
        Console.WriteLine(problems.Count == 0 ? "result: every answer OK, OVERLOADED or RATE_LIMITED; both processes alive and serving" : $"result: {problems.Count} problem(s)");
        return problems.Count == 0 ? 0 : 1;
    }

    private sealed record Phase(TimeSpan Elapsed, ConcurrentDictionary<string, int> Outcomes, List<double> AdmittedMs, List<double> RefusedMs, List<(long District, long Gateway)> RssKiB);

    private static async Task<Phase> LoadAsync(EnterpriseService.EnterpriseServiceClient client, GetEnterpriseRequest read, Func<string, CallOptions> options,
        (string Caller, int Count)[] callers, int seconds, ChildProcess district, ChildProcess gateway)
    {
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var admitted = new ConcurrentBag<double>();
        var refused = new ConcurrentBag<double>();
        var rss = new List<(long, long)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var stopwatch = Stopwatch.StartNew();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rss.Add((district.ResidentKiB(), gateway.ResidentKiB()));
                try { await Task.Delay(1000, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var workers = callers.SelectMany(c => Enumerable.Repeat(c.Caller, c.Count)).Select(caller => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                string outcome;
                try
                {
                    await client.GetEnterpriseAsync(read, options(caller));
                    admitted.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    outcome = "OK";
                }
                catch (RpcException e)
                {
                    var reason = e.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
                    outcome = (e.StatusCode, reason) switch
                    {
                        (StatusCode.Unavailable, "OVERLOADED") => "UNAVAILABLE OVERLOADED",
                        (StatusCode.ResourceExhausted, "RATE_LIMITED") => "RESOURCE_EXHAUSTED RATE_LIMITED",
                        _ => $"{e.StatusCode} {e.Status.Detail}",
                    };
                    refused.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    // A refused caller comes back at once, as an impatient client would; only a deadline hit waits.
                }
                outcomes.AddOrUpdate($"{caller}: {outcome}", 1, (_, n) => n + 1);
            }
        })).ToList();
        await Task.WhenAll(workers);
        await sampler;
        return new Phase(stopwatch.Elapsed, outcomes, [.. admitted], [.. refused], rss);
    }

    private static void Report(string phase, string load, Phase result)
    {
        var total = result.Outcomes.Values.Sum();
        Console.WriteLine($"{phase}: {load} for {result.Elapsed.TotalSeconds:0.0} s: {total:N0} calls ({total / result.Elapsed.TotalSeconds:N0}/s), admitted {result.AdmittedMs.Count:N0} ({result.AdmittedMs.Count / result.Elapsed.TotalSeconds:N0}/s)");
        foreach (var (outcome, count) in result.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal)) Console.WriteLine($"  {outcome}: {count:N0}");
        Console.WriteLine($"  admitted latency ms: {Percentiles(result.AdmittedMs)}");
        if (result.RefusedMs.Count > 0) Console.WriteLine($"  refusal latency ms: {Percentiles(result.RefusedMs)}");
        if (result.RssKiB.Count > 0)
        {
            string Memory(Func<(long District, long Gateway), long> pick)
            {
                var values = result.RssKiB.Select(pick).ToList();
                var third = Math.Max(1, values.Count / 3);
                return $"first {values[0] / 1024.0:0} MiB, max {values.Max() / 1024.0:0} MiB, last {values[^1] / 1024.0:0} MiB, mean of the first third {values.Take(third).Average() / 1024.0:0} MiB, of the last third {values.TakeLast(third).Average() / 1024.0:0} MiB";
            }
            Console.WriteLine($"  gateway RSS ({result.RssKiB.Count} samples): {Memory(s => s.Gateway)}");
            Console.WriteLine($"  district RSS: {Memory(s => s.District)}");
        }
    }

    private static string Percentiles(List<double> values)
    {
        if (values.Count == 0) return "none";
        values.Sort();
        double At(double p) => values[Math.Min(values.Count - 1, (int)(p * values.Count))];
        return $"p50 {At(0.50):0.00}, p90 {At(0.90):0.00}, p99 {At(0.99):0.00}, p99.9 {At(0.999):0.00}, max {values[^1]:0.00}";
    }

    /// <summary>Starts a service from its build output (the configuration of this tool) and waits until it is ready.</summary>
    private static async Task<ChildProcess> StartAsync(string projectDir, string assembly, int grpc, int http, Dictionary<string, string?> settings)
    {
        var dll = RepoRoot.BuildOutput(projectDir, assembly + ".dll");
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        settings["Parks__Endpoints__GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__HttpPort"] = http.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__BindAddress"] = "127.0.0.1";
        settings["Parks__Hosting__LogFormat"] = "simple";
        settings["Parks__Security__InternalKey"] = InternalKey;
        settings["Logging__LogLevel__Default"] = "Warning";
        var child = ChildProcess.StartDotnet(dll, settings);
        try
        {
            await WaitUntilReadyAsync(child, assembly, grpc);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitUntilReadyAsync(ChildProcess child, string assembly, int grpc)
    {
        using var channel = RpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (child.HasExited) throw new InvalidOperationException($"{assembly} exited at start:\n{child.Output}");
            try
            {
                var status = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
                if (status.Status == HealthCheckResponse.Types.ServingStatus.Serving) return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{assembly} not ready after 90 s:\n{child.Output}");
            await Task.Delay(200);
        }
    }
}
