using System.Diagnostics.Metrics;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Parks.Bench.V1;
using Parks.Hosting;
using Parks.Rpc;

// Modes:
//   parks  <grpcPort> <httpPort>   the Parks stack (AddParksDefaults: interceptors, health, reflection) with EchoService
//   raw    <grpcPort> <httpPort>   R0: bare Kestrel h2c that copies the request body back with grpc-status 0
//   request <file>                 writes the gRPC frame h2load posts
//   census <address> <calls> <concurrency>   calls Echo through the Parks client and counts grpc-status values
// Both servers answer GET /bench/stats on the HTTP port: calls by status and bytes allocated since start.
return args[0] switch
{
    "parks" => await Servers.RunParksAsync(int.Parse(args[1]), int.Parse(args[2])),
    "raw" => await Servers.RunRawAsync(int.Parse(args[1]), int.Parse(args[2])),
    "request" => Servers.WriteRequest(args[1]),
    "census" => await Servers.CensusAsync(args[1], int.Parse(args[2]), int.Parse(args[3])),
    _ => throw new ArgumentException("mode: parks | raw | request | census"),
};

internal sealed class EchoServiceImpl : EchoService.EchoServiceBase
{
    public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Name = request.Name, Id = request.Id, Tags = { request.Tags }, Payload = request.Payload });
}

internal static class Servers
{
    public static EchoRequest Sample() => new()
    {
        Name = "a name",
        Id = 1_234_567_890_123,
        Tags = { "of course", "the dog", "the cat" },
        Payload = ByteString.CopyFromUtf8("七贤岭数字技术开发应用区"),
    };

    public static int WriteRequest(string path)
    {
        var body = Sample().ToByteArray();
        var frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        File.WriteAllBytes(path, frame);
        return 0;
    }

    public static async Task<int> RunParksAsync(int grpcPort, int httpPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Parks:Endpoints:GrpcPort"] = grpcPort.ToString();
        builder.Configuration["Parks:Endpoints:HttpPort"] = httpPort.ToString();
        builder.Configuration["Parks:Endpoints:BindAddress"] = "127.0.0.1";
        builder.Configuration["Parks:Security:InternalKey"] = "benchmark-only-internal-key-0123456789";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddParksDefaults("bench").AddService<EchoServiceImpl>();
        var app = builder.Build();
        var stats = new CallStats();
        using var allocations = Environment.GetEnvironmentVariable("PARKS_BENCH_ALLOC_PROFILE") == "1" ? new AllocationSampler() : null;
        app.MapParksDefaults();
        app.MapGet("/bench/stats", () => Results.Json(stats.Snapshot()));
        app.MapGet("/bench/allocations", () => Results.Json(allocations?.Top(40)));
        await app.RunAsync();
        return 0;
    }

    public static async Task<int> RunRawAsync(int grpcPort, int httpPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(System.Net.IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
            o.Listen(System.Net.IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        long calls = 0;
        var start = GC.GetTotalAllocatedBytes(precise: true);
        app.MapPost("/parks.bench.v1.EchoService/Echo", async (HttpContext ctx) =>
        {
            var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            ctx.Response.ContentType = "application/grpc";
            ctx.Response.DeclareTrailer("grpc-status");
            await ctx.Response.Body.WriteAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length));
            ctx.Response.AppendTrailer("grpc-status", "0");
            Interlocked.Increment(ref calls);
        });
        app.MapGet("/bench/stats", () => Results.Json(new Dictionary<string, object>
        {
            ["calls"] = new Dictionary<string, long> { ["0"] = Interlocked.Read(ref calls) },
            ["allocatedBytes"] = GC.GetTotalAllocatedBytes(precise: true) - start,
        }));
        await app.RunAsync();
        return 0;
    }

    public static async Task<int> CensusAsync(string address, int calls, int concurrency)
    {
        using var channel = RpcChannel.ForAddress(address);
        var client = new EchoService.EchoServiceClient(channel);
        var request = Sample();
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var next = 0;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= calls)
            {
                string code;
                try
                {
                    var response = await client.EchoAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
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
}

/// <summary>Counts server calls by grpc-status from the RPC layer's own metric, and allocation since start.</summary>
internal sealed class CallStats
{
    private readonly long[] _calls = new long[17];
    private readonly long _start = GC.GetTotalAllocatedBytes(precise: true);
    private readonly MeterListener _listener = new();

    public CallStats()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Parks.Rpc" && instrument.Name == "parks.rpc.server.calls") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var method = "";
            var status = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "rpc.method") method = tag.Value as string ?? "";
                else if (tag.Key == "rpc.grpc.status_code") status = tag.Value as string ?? "";
            }
            if (method.EndsWith("/Echo", StringComparison.Ordinal) && int.TryParse(status, out var code) && code is >= 0 and < 17) Interlocked.Add(ref _calls[code], value);
        });
        _listener.Start();
    }

    public Dictionary<string, object> Snapshot() => new()
    {
        ["calls"] = Enumerable.Range(0, 17).Where(i => Interlocked.Read(ref _calls[i]) > 0).ToDictionary(i => i.ToString(), i => Interlocked.Read(ref _calls[i])),
        ["allocatedBytes"] = GC.GetTotalAllocatedBytes(precise: true) - _start,
    };
}

/// <summary>Samples allocations by type from the runtime's GCAllocationTick events (one per ~100 KB allocated).</summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, n) => n + amount);
    }

    public Dictionary<string, long> Top(int n) => _bytes.OrderByDescending(kv => kv.Value).Take(n).ToDictionary(kv => kv.Key, kv => kv.Value);
}
