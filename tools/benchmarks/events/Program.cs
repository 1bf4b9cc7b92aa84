using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parks.Bench.V1;
using Parks.Hosting.Events;
using Parks.Hosting.State;

// producer <redis> <prefix> <count> <rate/s, 0 = as fast as possible> <concurrency>
// consumer <redis> <prefix> <expected> <warm-up events excluded from the latency figures>
// Both print one JSON line with their figures; the consumer prints "ready" once it is consuming.
var mode = args[0];
var redis = args[1];
var prefix = args[2];
return mode switch
{
    "producer" => await Bench.ProduceAsync(redis, prefix, int.Parse(args[3], CultureInfo.InvariantCulture),
        double.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture)),
    "consumer" => await Bench.ConsumeAsync(redis, prefix, int.Parse(args[3], CultureInfo.InvariantCulture),
        int.Parse(args[4], CultureInfo.InvariantCulture)),
    _ => throw new ArgumentException($"unknown mode {mode}"),
};

internal static class Bench
{
    private static IHost Build(string redis, string prefix, string appId, bool consume)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parks:State:Provider"] = "Redis",
            ["Parks:State:Redis"] = redis,
            ["Parks:Events:Provider"] = "Redis",
            ["Parks:Events:AppId"] = appId,
            ["Parks:Events:Redis:StreamKeyPrefix"] = prefix,
        });
        builder.Services.AddSingleton(new Scope(prefix));
        builder.Services.AddParksState(builder.Configuration);
        var events = builder.AddParksEvents();
        if (consume) events.AddHandler<BenchItemChanged, EffectHandler>();
        return builder.Build();
    }

    public static async Task<int> ProduceAsync(string redis, string prefix, int count, double rate, int concurrency)
    {
        using var host = Build(redis, prefix, "bench-producer", consume: false);
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IStateStore>();
        var outbox = host.Services.GetRequiredService<IEventOutbox>();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var next = -1;
        var late = 0L;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count) return;
                if (rate > 0)
                {
                    var due = TimeSpan.FromSeconds(i / rate);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                    else if (wait < TimeSpan.FromMilliseconds(-5)) Interlocked.Increment(ref late);
                }
                var item = $"item-{i:D7}";
                // The state change and its event, committed together (what every Parks service does).
                var transaction = new StateTransaction().Put(StateKeys.For("bench", prefix, "source", item), BitConverter.GetBytes(i), null);
                outbox.Add(transaction, new BenchItemChanged { Item = item, Unit = "districts/lingshui", AmountFen = i, Note = "benchmark" });
                await store.CommitAsync(transaction);
            }
        })));
        var committed = clock.Elapsed;
        var queue = StateKeys.For("events", "bench-producer", "outbox", "queue");
        while (await store.CountQueueAsync(queue) > 0) await Task.Delay(5);
        var published = clock.Elapsed;
        await host.StopAsync();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            count,
            startedUnixMs = started.ToUnixTimeMilliseconds(),
            commitSeconds = committed.TotalSeconds,
            commitRate = count / committed.TotalSeconds,
            publishedSeconds = published.TotalSeconds,
            lateCommits = late,
            cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        }));
        return 0;
    }

    public static async Task<int> ConsumeAsync(string redis, string prefix, int expected, int warmup)
    {
        var lags = new List<double>(expected);
        var delivered = 0L;
        var done = new TaskCompletionSource();
        long firstEffect = 0, lastEffect = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EventsTelemetry.Name && instrument.Name is "parks.events.lag" or "parks.events.delivered")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<double>((_, lag, _, _) =>
        {
            lock (lags) lags.Add(lag);
        });
        meters.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Interlocked.CompareExchange(ref firstEffect, now, 0);
            Interlocked.Exchange(ref lastEffect, now);
            if (Interlocked.Add(ref delivered, value) >= expected) done.TrySetResult();
        });
        meters.Start();

        using var host = Build(redis, prefix, "bench-consumer", consume: true);
        await host.StartAsync();
        Console.WriteLine("ready");
        var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromMinutes(5)));
        await host.StopAsync();
        double[] measured;
        lock (lags) measured = [.. lags.Skip(warmup).Order()];
        double Pick(double q) => measured.Length == 0 ? double.NaN : measured[Math.Min(measured.Length - 1, (int)(measured.Length * q))];
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            delivered = Interlocked.Read(ref delivered),
            complete = finished == done.Task,
            measured = measured.Length,
            p50Ms = Pick(0.5),
            p90Ms = Pick(0.9),
            p99Ms = Pick(0.99),
            p999Ms = Pick(0.999),
            maxMs = measured.Length == 0 ? double.NaN : measured[^1],
            firstEffectUnixMs = Interlocked.Read(ref firstEffect),
            lastEffectUnixMs = Interlocked.Read(ref lastEffect),
            cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        }));
        return finished == done.Task ? 0 : 1;
    }
}

internal sealed record Scope(string Prefix);

/// <summary>A typical handler effect: read the item's state, write it back changed, inside the inbox transaction.</summary>
internal sealed class EffectHandler(IStateStore store, Scope scope) : IEventHandler<BenchItemChanged>
{
    public async Task HandleAsync(EventContext<BenchItemChanged> context, CancellationToken cancellationToken)
    {
        var key = StateKeys.For("bench", scope.Prefix, "effect", context.Event.Item);
        var entry = await store.GetAsync(key, cancellationToken);
        var value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, (entry is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(entry.Value.Span)) + context.Event.AmountFen);
        context.Transaction.Put(key, value, entry?.Version ?? 0);
    }
}
