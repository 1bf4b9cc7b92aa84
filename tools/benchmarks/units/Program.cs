using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parks.Benchmarks.Units;
using Parks.Domain;
using Parks.District;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.Application;
using Parks.Units.Data;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.V1;
using Enterprise = Parks.Units.Domain.Enterprise;

// Usage: dotnet run -c Release --project tools/benchmarks/units -- [--enterprises 100000] [--calls 2000] [--redis host:port]
// Without --redis a fresh redis-server is started (and removed) on a free port. Prints the figures and writes them
// to tools/benchmarks/results/units-<time>.json.
var settings = Settings.Parse(args);
await using var ownRedis = settings.Redis is null ? await RedisServer.StartNewAsync() : null;
var connection = settings.Redis ?? ownRedis!.ConnectionString;
await using var redisStore = new RedisStateStore(connection, TimeSpan.FromSeconds(30));
// --memory: the same loading and listing on the in-memory store (to tell our CPU from Redis's); gRPC stays on Redis.
IStateStore store = settings.Memory ? new InMemoryStateStore() : redisStore;
var units = Zone.Districts.Select(d => UnitRef.District(d.Id)).Concat(Zone.SeedBranchParkIds.Select(UnitRef.Park)).ToArray();
var perUnit = (int)Math.Ceiling(settings.Enterprises / (double)units.Length);
Console.WriteLine($"redis {connection}; {units.Length} units x {perUnit} demo enterprises = {units.Length * perUnit}");

if (args.Contains("--profile-load"))
{
    // CPU per step of loading one unit's demo enterprises, single-threaded (after a warm-up pass).
    var u = UnitRef.District("lingshui");
    var g = new DemoData(1, SeedData.Industries, new TierRules(), SeedData.InnovationPointsModels.Current);
    var d0 = DateOnly.FromDateTime(DateTime.UtcNow);
    for (var pass = 0; pass < 2; pass++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var drafts = g.Enterprises(u, perUnit, d0);
        var tGen = Process.GetCurrentProcess().TotalProcessorTime - cpu; cpu += tGen;
        var list = drafts.Select(x =>
        {
            var e = Enterprise.Register(u, x.Draft, SeedData.Industries, true, d0, DateTimeOffset.UtcNow);
            foreach (var c in x.Certifications) e = e.Certify(c, new TierRules(), d0, DateTimeOffset.UtcNow).Enterprise;
            return e;
        }).ToList();
        var tDomain = Process.GetCurrentProcess().TotalProcessorTime - cpu; cpu += tDomain;
        foreach (var e in list) _ = Parks.Units.Storage.StateJsonAccess.Serialize(e);
        var tJson = Process.GetCurrentProcess().TotalProcessorTime - cpu; cpu += tJson;
        foreach (var e in list) _ = EnterpriseOperations.IndexesOfForTools(e).ToHashSet();
        var tIndex = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"pass {pass}: {perUnit} enterprises: generate {tGen.TotalMilliseconds:0} ms, register+certify {tDomain.TotalMilliseconds:0} ms, JSON {tJson.TotalMilliseconds:0} ms, indexes {tIndex.TotalMilliseconds:0} ms (CPU)");
    }
    return 0;
}

// 0. How much of a reload is generating the records (CPU, no store): the demo enterprises of every unit.
var generation = Stopwatch.StartNew();
var generator = new DemoData(20_240_615, SeedData.Industries, new TierRules(), SeedData.InnovationPointsModels.Current);
var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);
await Task.WhenAll(units.Select(unit => Task.Run(() =>
{
    foreach (var demo in generator.Enterprises(unit, perUnit, today))
    {
        var e = Enterprise.Register(unit, demo.Draft, SeedData.Industries, demo: true, today, DateTimeOffset.UtcNow);
        foreach (var c in demo.Certifications) e = e.Certify(c, new TierRules(), today, DateTimeOffset.UtcNow).Enterprise;
        _ = Parks.Units.Storage.StateJsonAccess.Serialize(e);
    }
})));
generation.Stop();
Console.WriteLine($"generating and serialising {units.Length * perUnit} demo enterprises (no store): {generation.Elapsed.TotalSeconds:0.0} s");

// 1. Full reload of the seed + demo data: every district and the branch-parks service load in parallel, as the
//    seven processes do at start-up.
var options = new UnitsOptions { DemoData = true, DemoEnterprisesPerUnit = perUnit, DemoSeed = 20_240_615 };
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var redisCpuBefore = await RedisCpu.SecondsAsync(connection);
var reload = Stopwatch.StartNew();
var loads = Zone.Districts.Select(d => new SeedLoader(Context(new DistrictScope(d.Id)), options).LoadAsync())
    .Append(new SeedLoader(Context(new BranchParkScope(store)), options).LoadAsync());
var results = (await Task.WhenAll(loads)).SelectMany(r => r).ToList();
if (settings.Memory)
{
    // The gRPC part reads Redis: load qixianling there too.
    await new SeedLoader(new UnitsContext(redisStore, new NoEvents(), TimeProvider.System, new DistrictScope("qixianling")), options).LoadAsync();
}
reload.Stop();
var reloadCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
var reloadRedisCpu = await RedisCpu.SecondsAsync(connection) - redisCpuBefore;
var loaded = results.Sum(r => r.DemoEnterprises);
Console.WriteLine($"reload: {loaded} enterprises, {results.Sum(r => r.DemoProjects)} projects, {results.Sum(r => r.DemoReferrals)} referrals, " +
    $"{results.Sum(r => r.DemoEvaluations)} evaluations, {results.Sum(r => r.Observations)} real observations in {reload.Elapsed.TotalSeconds:0.0} s " +
    $"(CPU: loaders {reloadCpu:0.0} s, redis-server {reloadRedisCpu:0.0} s; load average {LoadAverage()})");

// 2. List with filters, 50 per page: first pages and follow-up pages, tier and/or industry filters, every unit.
var random = new Random(1);
var queries = Enumerable.Range(0, settings.Calls).Select(_ => RandomQuery(random, units)).ToArray();
var operations = new EnterpriseOperations(Context(new AnyUnitScope()));
foreach (var q in queries.Take(200)) await operations.ListAsync(q);   // warm-up
var opLatencies = new List<double>(queries.Length);
var pageSizes = new List<int>(queries.Length);
foreach (var q in queries)
{
    var started = Stopwatch.GetTimestamp();
    var page = await operations.ListAsync(q);
    opLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    pageSizes.Add(page.Items.Count);
}
Report($"List (operation, {(settings.Memory ? "in-memory" : "Redis")})", opLatencies, pageSizes);

// Where a page's time goes (means over the same queries): index scan, count, record fetch, JSON.
{
    double scan = 0, count = 0, fetch = 0, json = 0;
    foreach (var q in queries.Take(500))
    {
        var unit = UnitRef.Parse(q.Parent, "parent");
        var keys = new Parks.Units.Storage.UnitKeys(unit);
        string[] indexes = [keys.Enterprises("real"), keys.Enterprises("demo")];
        var t = Stopwatch.GetTimestamp();
        var members = await Task.WhenAll(indexes.Select(i => store.ScanIndexAsync(i, null, 51)));
        scan += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        t = Stopwatch.GetTimestamp();
        await Task.WhenAll(indexes.Select(i => store.CountIndexAsync(i)));
        count += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        t = Stopwatch.GetTimestamp();
        var entries = await store.GetManyAsync([.. members.SelectMany(m => m).Take(50).Select(keys.Enterprise)]);
        fetch += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        t = Stopwatch.GetTimestamp();
        foreach (var e in entries) if (e is not null) Parks.Units.Storage.StateJsonAccess.Deserialize<Enterprise>(e.Value);
        json += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }
    Console.WriteLine($"breakdown per page (ms, mean of 500): scan {scan / 500:0.00}, count {count / 500:0.00}, fetch 50 {fetch / 500:0.00}, JSON 50 {json / 500:0.00}");
}

// 3. The same over gRPC: the District service for qixianling, in process, called on loopback with the generated client.
await using var district = await DistrictHost.StartAsync(connection);
var client = new Parks.Units.V1.EnterpriseService.EnterpriseServiceClient(district.Channel);
var rpcQueries = Enumerable.Range(0, settings.Calls).Select(_ => RandomQuery(random, [UnitRef.District("qixianling")])).ToArray();
foreach (var q in rpcQueries.Take(200)) await client.ListEnterprisesAsync(ToRequest(q), DistrictHost.Caller());
var rpcLatencies = new List<double>(rpcQueries.Length);
var rpcSizes = new List<int>(rpcQueries.Length);
foreach (var q in rpcQueries)
{
    var started = Stopwatch.GetTimestamp();
    var response = await client.ListEnterprisesAsync(ToRequest(q), DistrictHost.Caller());
    rpcLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    rpcSizes.Add(response.Enterprises.Count);
}
Report("ListEnterprises (gRPC, Redis)", rpcLatencies, rpcSizes);

var summary = new
{
    machine = $"{Environment.ProcessorCount} cores ({CpuModel()}), {Environment.OSVersion}, .NET {Environment.Version}",
    enterprises = loaded,
    units = units.Length,
    reloadSeconds = Math.Round(reload.Elapsed.TotalSeconds, 1),
    reloadCpuSeconds = new { loaders = Math.Round(reloadCpu, 1), redis = Math.Round(reloadRedisCpu, 1) },
    loadAverage = LoadAverage(),
    list = Stats(opLatencies, pageSizes),
    listGrpc = Stats(rpcLatencies, rpcSizes),
};
var resultsDir = Path.Combine(Settings.RepoRoot, "tools", "benchmarks", "results");
Directory.CreateDirectory(resultsDir);
var file = Path.Combine(resultsDir, $"units-{DateTime.UtcNow:yyyyMMddTHHmmss}.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"written {file}");
return 0;

UnitsContext Context(UnitScope scope) => new(store, new NoEvents(), TimeProvider.System, scope);

EnterpriseQuery RandomQuery(Random r, UnitRef[] all)
{
    var unit = all[r.Next(all.Length)];
    // Tiers by their weight in the demo set (so most filtered pages are full), industries uniformly.
    EnterpriseTier[] tiers = [EnterpriseTier.Unspecified, EnterpriseTier.TechSme, EnterpriseTier.HighTech, EnterpriseTier.Eaglet];
    var tier = tiers[r.Next(tiers.Length)];
    var industry = r.Next(2) == 0 ? null : SeedData.Industries.All[r.Next(SeedData.Industries.All.Count)].Id;
    // One query in three continues after a random member (what a page token carries), as later pages do.
    string? token = null;
    if (r.Next(3) == 0)
    {
        var cursor = DemoData.Uscc(unit, r.Next(perUnit));
        token = PageToken.Create($"enterprises|{unit}|{tier}|{industry}|{DataSetFilter.All}", cursor);
    }
    return new EnterpriseQuery(unit.ResourceName, 50, token, tier, industry, DataSetFilter.All);
}

static ListEnterprisesRequest ToRequest(EnterpriseQuery q) => new()
{
    Parent = q.Parent,
    PageSize = q.PageSize,
    PageToken = q.PageToken ?? "",
    Tier = (Parks.Common.V1.EnterpriseTier)(int)q.Tier,
    Industry = q.Industry ?? "",
};

static object Stats(List<double> latencies, List<int> sizes)
{
    var sorted = latencies.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    return new
    {
        calls = sorted.Length,
        p50Ms = Math.Round(P(0.50), 2),
        p95Ms = Math.Round(P(0.95), 2),
        p99Ms = Math.Round(P(0.99), 2),
        maxMs = Math.Round(sorted[^1], 2),
        meanItems = Math.Round(sizes.Average(), 1),
        fullPages = sizes.Count(s => s == 50),
    };
}

static void Report(string what, List<double> latencies, List<int> sizes) =>
    Console.WriteLine($"{what}: {JsonSerializer.Serialize(Stats(latencies, sizes))} (load average {LoadAverage()})");

static string CpuModel() => File.Exists("/proc/cpuinfo")
    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
    : "?";

// The machine is shared: the 1-minute load average says how much else was running.
static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

namespace Parks.Benchmarks.Units
{
    internal sealed record Settings(int Enterprises, int Calls, string? Redis, bool Memory)
    {
        public static string RepoRoot { get; } = FindRoot();

        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new Settings(
                int.Parse(Value("--enterprises") ?? "100000", CultureInfo.InvariantCulture),
                int.Parse(Value("--calls") ?? "2000", CultureInfo.InvariantCulture),
                Value("--redis"),
                args.Contains("--memory"));
        }

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
            }
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>redis-server's own CPU time (INFO cpu), so a reload's cost can be told apart from the machine's load.</summary>
    internal static class RedisCpu
    {
        public static async Task<double> SecondsAsync(string connection)
        {
            var parts = connection.Split(',')[0].Split(':');
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
            await using var stream = client.GetStream();
            await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$3\r\ncpu\r\n"u8.ToArray());
            var buffer = new byte[8192];
            var text = new System.Text.StringBuilder();
            do
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0) break;
                text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            }
            while (!text.ToString().Contains("used_cpu_user:", StringComparison.Ordinal) || !text.ToString().EndsWith("\r\n", StringComparison.Ordinal));
            double Field(string name) => double.Parse(text.ToString().Split("\r\n").First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
            return Field("used_cpu_sys") + Field("used_cpu_user");
        }
    }

    /// <summary>Lists need no events; the benchmark's contexts publish nothing.</summary>
    internal sealed class NoEvents : IUnitOutbox
    {
        public void Append(StateTransaction transaction, UnitEvent unitEvent) =>
            throw new InvalidOperationException("the benchmark does not write through the operations");
    }

    /// <summary>Serves every unit (the benchmark lists all eleven from one process).</summary>
    internal sealed class AnyUnitScope : UnitScope
    {
        public override string ServiceName => "benchmark";

        public override Task RequireServedAsync(UnitRef unit, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task<IReadOnlyList<UnitRef>> ServedUnitsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<UnitRef>>([]);
    }

    /// <summary>The District service for qixianling on the benchmark's Redis, composed as its Program.cs does.</summary>
    internal sealed class DistrictHost : IAsyncDisposable
    {
        private const string InternalKey = "units-benchmark-internal-key-0123456789abcdef";
        private static readonly CallerSigner Signer = new(Options.Create(new SecurityOptions { InternalKey = InternalKey }));
        private readonly WebApplication _app;

        private DistrictHost(WebApplication app, RpcChannel channel)
        {
            _app = app;
            Channel = channel;
        }

        public RpcChannel Channel { get; }

        public static CallOptions Caller()
        {
            var headers = new Metadata();
            new Parks.Hosting.Security.Caller("dashboard", CallerRole.Dashboard, null).WriteTo(headers, Signer);
            return new CallOptions(headers);
        }

        public static async Task<DistrictHost> StartAsync(string redis)
        {
            var grpcPort = FreeTcpPort.Next();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
                ["Parks:Endpoints:HttpPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
                ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
                ["Parks:Hosting:LogFormat"] = "simple",
                ["Parks:Security:InternalKey"] = InternalKey,
                ["Parks:State:Provider"] = "Redis",
                ["Parks:State:Redis"] = redis,
                ["Parks:Events:Provider"] = "InMemory",
                ["Parks:District:Id"] = "qixianling",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.AddParksDefaults("district").AddDistrict(builder);
            var app = builder.Build();
            app.MapParksDefaults();
            app.MapParksEvents();
            await app.StartAsync();
            return new DistrictHost(app, RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}"));
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
