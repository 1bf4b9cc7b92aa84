using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.BranchParks;
using Parks.District;
using Parks.Domain;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Reliability.Corpus;
using Parks.Rpc;

namespace Parks.Reliability;

internal sealed record FuzzOptions(int Requests, int Seed, int Concurrency, int? Only)
{
    public static FuzzOptions Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        int Get(string name, int fallback) => list.IndexOf(name) is var i and >= 0 && i + 1 < list.Count ? int.Parse(list[i + 1], CultureInfo.InvariantCulture) : fallback;
        var only = Get("--only", -1);
        return new FuzzOptions(Get("--requests", 100_000), Get("--seed", 1), Get("--concurrency", 16), only >= 0 ? only : null);
    }
}

/// <summary>
/// Seeded mutation fuzzing of every public method of real District, Branch Parks, Science City, Talent and Finance
/// hosts (in this process, each its own app with its own state, on
/// loopback h2c): the tests' regression corpus per method, mutated (bit flips, interesting bytes, inserts, deletes,
/// truncation, duplicated slices, stray tags, splices) and sometimes mis-framed, sent with varying identities. Counts
/// every answer; a "finding" is an UNKNOWN (unhandled exception), a DEADLINE_EXCEEDED (hang), a non-gRPC answer, a
/// status message with internals in it, or an error the server logged. Exit code 1 when there are findings.
/// </summary>
internal static class FuzzRun
{
    private const string InternalKey = "reliability-fuzz-test-only-internal-key-0123456789";
    private static readonly string[] Leaks = ["   at ", "Exception", ".cs:line", "/work/", "/home/", "StackExchange", "127.0.0.1"];

    public static async Task<int> RunAsync(FuzzOptions options)
    {
        var errors = new ErrorCounter();
        await using var district = await StartAsync("district", "lingshui", errors);
        await using var parks = await StartAsync("branchparks", null, errors);
        await using var scienceCity = await StartAsync("sciencecity", null, errors);
        await using var talent = await StartAsync("talent", null, errors);
        await using var finance = await StartAsync("finance", null, errors);
        Host[] hosts = [district, parks, scienceCity, talent, finance];
        var targets = hosts.SelectMany(Targets).ToList();
        var seeds = targets.ToDictionary(t => t, t => HostileCorpus.For(t.Input).Select(c => c.Message).ToArray());
        var signer = new CallerSigner(Microsoft.Extensions.Options.Options.Create(new SecurityOptions { InternalKey = InternalKey }));
        var identities = new[]
        {
            Identity(new Caller("operator", CallerRole.Operator, null), signer),
            Identity(new Caller("district-lingshui", CallerRole.UnitSystem, UnitRef.District("lingshui")), signer),
            Identity(new Caller("branchpark-jinpu", CallerRole.UnitSystem, UnitRef.Park("jinpu")), signer),
            Identity(new Caller("dashboard", CallerRole.Dashboard, null), signer),
            new Metadata(),
        };

        Console.WriteLine($"fuzz: {targets.Count} methods on {hosts.Length} hosts, {options.Requests} requests, seed {options.Seed}, {options.Concurrency} at once");
        var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var findings = new ConcurrentQueue<string>();
        var rssBefore = Environment.WorkingSet;
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        using var raw = new RawGrpc();
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= options.Requests) return;
                // --only N replays request N alone (with its body printed) to reproduce a finding.
                if (options.Only is { } only && n != only) continue;
                // One Random per request, from the seed and the request number: a finding is reproducible alone.
                var random = new Random(unchecked(options.Seed * 1_000_003 + n));
                var target = targets[random.Next(targets.Count)];
                var corpus = seeds[target];
                var (caseName, body) = Build(random, corpus, seeds[targets[random.Next(targets.Count)]]);
                var identity = identities[random.Next(identities.Length)];
                if (options.Only is not null) Console.WriteLine($"#{n} {target.Path} [{caseName}] identity {identity.FirstOrDefault()?.Value ?? "none"} body {Convert.ToHexString(body)}");
                string outcome;
                try
                {
                    // Server streams (health Watch, event tails) run until their deadline: a short one, and DEADLINE_EXCEEDED is their normal end.
                    var (status, message) = await raw.SendAsync(target.Address, target.Path, body, identity, target.Streaming ? "1S" : "10S");
                    outcome = status >= 0 ? ((StatusCode)status).ToString() : status == -1 ? "not fully sent" : $"HTTP {-status}";
                    var expectedReset = caseName == "oversized" && status == -1;
                    var hang = status == (int)StatusCode.DeadlineExceeded && !target.Streaming;
                    if (!expectedReset && (status < 0 || status == (int)StatusCode.Unknown || hang))
                        findings.Enqueue($"#{n} {target.Path} [{caseName}]: {outcome} {message}");
                    if (Leaks.FirstOrDefault(l => message.Contains(l, StringComparison.Ordinal)) is { } leak)
                        findings.Enqueue($"#{n} {target.Path} [{caseName}]: message leaks '{leak}': {message}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome = "transport error";
                    findings.Enqueue($"#{n} {target.Path} [{caseName}]: {e.GetType().Name} {e.Message}");
                }
                counts.AddOrUpdate(outcome, 1, (_, v) => v + 1);
                if (n > 0 && n % 20_000 == 0) Console.WriteLine($"  {n} sent, {stopwatch.Elapsed.TotalSeconds:F0} s");
            }
        })));
        stopwatch.Stop();

        var healthy = true;
        foreach (var host in hosts) healthy &= await HealthyAsync(host);
        Console.WriteLine($"requests: {counts.Values.Sum()} in {stopwatch.Elapsed.TotalSeconds:F1} s ({counts.Values.Sum() / stopwatch.Elapsed.TotalSeconds:F0}/s)");
        Console.WriteLine("answers: " + string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}")));
        Console.WriteLine($"findings: {findings.Count}");
        foreach (var finding in findings.Take(20)) Console.WriteLine("  " + finding);
        Console.WriteLine($"errors logged by the servers: {errors.Count}");
        foreach (var entry in errors.Entries.Take(3)) Console.WriteLine("  " + entry);
        Console.WriteLine($"every host serving afterwards: {(healthy ? "yes" : "NO")}");
        Console.WriteLine($"working set: {rssBefore / (1024 * 1024)} MiB before, {Environment.WorkingSet / (1024 * 1024)} MiB after; managed heap after a full collection: {GC.GetTotalMemory(forceFullCollection: true) / (1024 * 1024)} MiB");
        return findings.IsEmpty && errors.Count == 0 && healthy ? 0 : 1;
    }

    /// <summary>A corpus entry, mutated; now and then mis-framed, and once in a while oversized.</summary>
    private static (string Case, byte[] Body) Build(Random random, byte[][] corpus, byte[][] other)
    {
        if (random.Next(5000) == 0) return ("oversized", HostileCorpus.Frame(HostileCorpus.Oversized()));
        var data = new List<byte>(corpus[random.Next(corpus.Length)]);
        var mutations = random.Next(0, 4);
        for (var i = 0; i < mutations; i++) Mutate(random, data, other[random.Next(other.Length)]);
        var message = data.ToArray();
        var framed = HostileCorpus.Frame(message);
        if (random.Next(30) == 0)
        {
            switch (random.Next(3))
            {
                case 0: framed[0] = (byte)random.Next(256); break;
                case 1: System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)Math.Max(0, message.Length + random.Next(-8, 9))); break;
                default: framed = framed[..random.Next(framed.Length)]; break;
            }
            return ("misframed", framed);
        }
        return ("mutated", framed);
    }

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x1A, 0x22, 0x08, 0x0B, 0x0C];

    private static void Mutate(Random random, List<byte> data, byte[] splice)
    {
        var at = data.Count == 0 ? 0 : random.Next(data.Count);
        switch (random.Next(8))
        {
            case 0 when data.Count > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
            case 1 when data.Count > 0: data[at] = Interesting[random.Next(Interesting.Length)]; break;
            case 2: data.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))); break;
            case 3 when data.Count > 0: data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 8))); break;
            case 4 when data.Count > 0: data.RemoveRange(at, data.Count - at); break;
            case 5 when data.Count > 0:
                var length = Math.Min(data.Count - at, random.Next(1, 64));
                data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                break;
            case 6: data.InsertRange(at, [(byte)((random.Next(1, 16) << 3) | random.Next(6)), (byte)random.Next(256)]); break;
            default: data.InsertRange(at, splice.Take(random.Next(splice.Length + 1))); break;
        }
    }

    private sealed record Target(string Address, string Path, MessageDescriptor Input, bool Streaming);

    private static IEnumerable<Target> Targets(Host host)
    {
        foreach (var service in host.App.Services.GetRequiredService<RpcServiceRegistry>().Services)
        {
            if (service.Descriptor is not { } descriptor) continue;
            foreach (var method in service.Methods)
            {
                if (method.Method.Type is not (MethodType.Unary or MethodType.ServerStreaming)) continue;
                yield return new Target(host.Address, method.Method.FullName, descriptor.FindMethodByName(method.Method.Name).InputType, method.Method.Type == MethodType.ServerStreaming);
            }
        }
    }

    private static Metadata Identity(Caller caller, CallerSigner signer)
    {
        var headers = new Metadata();
        caller.WriteTo(headers, signer);
        return headers;
    }

    private sealed record Host(WebApplication App, string Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private static async Task<Host> StartAsync(string service, string? districtId, ErrorCounter errors)
    {
        var grpcPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Security:InternalKey"] = InternalKey,
            ["Parks:State:Provider"] = "InMemory",
            ["Parks:Events:Provider"] = "InMemory",
            ["Parks:District:Id"] = districtId,
            ["Parks:Events:AppId"] = "fuzz-" + service,
        });
        // Each host its own store and broker (the shared in-process defaults would mix their data).
        builder.Services.AddSingleton(new Parks.Hosting.State.InMemoryStateStore());
        builder.Services.AddSingleton(new InMemoryEventBroker());
        switch (service)
        {
            case "district": builder.AddParksDefaults(service).AddDistrict(builder); break;
            case "branchparks": builder.AddParksDefaults(service).AddBranchParks(builder); break;
            case "sciencecity": Parks.ScienceCity.Extensions.AddScienceCity(builder); break;
            case "talent": Parks.Talent.Extensions.AddTalent(builder); break;
            default: Parks.Finance.Extensions.AddFinance(builder); break;
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(errors);
        var app = builder.Build();
        switch (service)
        {
            case "sciencecity": Parks.ScienceCity.Extensions.MapScienceCity(app); break;
            case "talent": Parks.Talent.Extensions.MapTalent(app); break;
            case "finance": Parks.Finance.Extensions.MapFinance(app); break;
            default:
                app.MapParksDefaults();
                app.MapParksEvents();
                break;
        }
        await app.StartAsync();
        return new Host(app, $"http://127.0.0.1:{grpcPort}");
    }

    private static async Task<bool> HealthyAsync(Host host)
    {
        using var channel = RpcChannel.ForAddress(host.Address);
        var response = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        return response.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Counts error-level log entries (and keeps the first few).</summary>
    private sealed class ErrorCounter : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private int _count;

        public int Count => _count;
        public IEnumerable<string> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(ErrorCounter owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                if (Interlocked.Increment(ref owner._count) <= 20) owner._entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
