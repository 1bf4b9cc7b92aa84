using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Parks.BenchGw.V1;
using Parks.Domain;
using Parks.Gateway;
using Parks.Gateway.V1;
using Parks.Hosting;
using Parks.Rpc;

// Modes:
//   backend <grpcPort> <httpPort>                     a Parks service (the hosting defaults) with UnitEchoService
//   gateway <grpcPort> <httpPort> <backendAddress>    the real gateway, every backend name pointing at that address
//   request <file> [overview]                         writes the gRPC frame h2load posts (GetEcho, or GetCityOverview)
//   census <address> <calls> <concurrency> [key]      calls GetEcho with the Parks client and counts grpc-status values
//   overview <address> <key>                          one GetCityOverview, printed as JSON (sanity check)
return args[0] switch
{
    "backend" => await Bench.RunBackendAsync(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture)),
    "gateway" => await Bench.RunGatewayAsync(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), args[3]),
    "request" => Bench.WriteRequest(args[1], args.Length > 2 && args[2] == "overview"),
    "census" => await Bench.CensusAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args.Length > 4 ? args[4] : null),
    "overview" => await Bench.OverviewAsync(args[1], args[2]),
    _ => throw new ArgumentException("mode: backend | gateway | request | census | overview"),
};

internal sealed class UnitEchoServiceImpl : UnitEchoService.UnitEchoServiceBase
{
    public override Task<GetEchoResponse> GetEcho(GetEchoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetEchoResponse { Name = request.Name, Id = request.Id, Tags = { request.Tags }, Payload = request.Payload });
}

internal static class Bench
{
    /// <summary>The benchmark's caller key (benchmark-only; the gateway runs with no other caller).</summary>
    public const string Key = "benchmark-only-caller-key-0123456789abcdef";
    private const string InternalKey = "benchmark-only-internal-key-0123456789";

    public static GetEchoRequest Sample() => new()
    {
        Name = "districts/lingshui/echoes/91210200MA0000001X",
        Id = 1_234_567_890_123,
        Tags = { "of course", "the dog", "the cat" },
        Payload = ByteString.CopyFromUtf8("七贤岭数字技术开发应用区"),
    };

    public static int WriteRequest(string path, bool overview)
    {
        var body = overview ? new GetCityOverviewRequest().ToByteArray() : Sample().ToByteArray();
        var frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        File.WriteAllBytes(path, frame);
        return 0;
    }

    public static async Task<int> RunBackendAsync(int grpcPort, int httpPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        Common(builder, grpcPort, httpPort);
        builder.AddParksDefaults("bench-backend").AddService<UnitEchoServiceImpl>();
        var app = builder.Build();
        app.MapParksDefaults();
        await app.RunAsync();
        return 0;
    }

    public static async Task<int> RunGatewayAsync(int grpcPort, int httpPort, string backend)
    {
        var builder = WebApplication.CreateSlimBuilder();
        Common(builder, grpcPort, httpPort);
        var settings = builder.Configuration;
        settings["Parks:Gateway:ApiKeys:district-lingshui"] = Key;
        settings["Parks:Gateway:ApiKeys:dashboard"] = Key.Replace("caller", "dashbd", StringComparison.Ordinal);
        settings["Parks:Gateway:RateLimit:TokensPerSecond"] = "1000000";
        settings["Parks:Gateway:RateLimit:Burst"] = "10000000";
        settings["Parks:Gateway:MaxConcurrentCalls"] = "100000";
        foreach (var name in Zone.Districts.Select(d => "district-" + d.Id).Concat(["sciencecity", "branchparks", "talent", "finance"]))
            settings[$"Parks:Services:{name}"] = backend;
        var rpc = builder.AddParksDefaults("gateway");
        using var allowList = typeof(Bench).Assembly.GetManifestResourceStream("Parks.Benchmarks.Gateway.bench-allow-list.json")!;
        builder.AddGateway(rpc, new GatewayApi([typeof(Bench).Assembly], [new StreamReader(allowList).ReadToEnd()]));
        var app = builder.Build();
        app.MapParksDefaults();
        app.MapGateway();
        await app.RunAsync();
        return 0;
    }

    private static void Common(WebApplicationBuilder builder, int grpcPort, int httpPort)
    {
        builder.Configuration["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:BindAddress"] = "127.0.0.1";
        builder.Configuration["Parks:Security:InternalKey"] = InternalKey;
        builder.Configuration["Parks:Hosting:LogFormat"] = "simple";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
    }

    public static async Task<int> CensusAsync(string address, int calls, int concurrency, string? key)
    {
        using var channel = RpcChannel.ForAddress(address);
        var client = new UnitEchoService.UnitEchoServiceClient(channel);
        var request = Sample();
        var headers = key is null ? null : new Metadata { { "authorization", "Bearer " + key } };
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var next = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= calls)
            {
                string code;
                try
                {
                    var response = await client.GetEchoAsync(request, new CallOptions(headers, DateTime.UtcNow.AddSeconds(10)));
                    code = response.Name == request.Name && response.Payload == request.Payload ? "OK" : "WRONG_RESPONSE";
                }
                catch (RpcException ex)
                {
                    code = ex.StatusCode.ToString();
                }
                counts.AddOrUpdate(code, 1, (_, n) => n + 1);
            }
        });
        await Task.WhenAll(workers);
        Console.WriteLine(JsonSerializer.Serialize(counts.OrderBy(kv => kv.Key).ToDictionary()));
        return counts.Keys.All(k => k == "OK") ? 0 : 1;
    }

    public static async Task<int> OverviewAsync(string address, string key)
    {
        using var channel = RpcChannel.ForAddress(address);
        var client = new CityOverviewService.CityOverviewServiceClient(channel);
        var response = await client.GetCityOverviewAsync(new GetCityOverviewRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + key } }, DateTime.UtcNow.AddSeconds(10)));
        var units = response.Overview.Units.Select(u => $"{u.Unit}:{u.Status.Freshness}").ToArray();
        Console.WriteLine(JsonSerializer.Serialize(new { units, kpis = response.Overview.Kpis.Count }));
        return 0;
    }
}
