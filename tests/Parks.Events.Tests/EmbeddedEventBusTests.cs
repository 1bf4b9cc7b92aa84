using Microsoft.AspNetCore.Builder;
using Parks.Hosting.Embedded;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>
/// The local run's event path: apps (here in this process, and one in a child process) publish to and consume
/// from one broker and one store in a backplane host, over gRPC, as the AppHost's service processes do.
/// </summary>
public sealed class EmbeddedEventBusTests : IAsyncLifetime
{
    private const string Key = "events-tests-backplane-key-0123456789abcdef";

    private WebApplication? _backplane;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var port = FreeTcpPort.Next();
        _backplane = EmbeddedBackplaneHost.Build(new EmbeddedBackplane(Key), port, FreeTcpPort.Next());
        await _backplane.StartAsync();
        _address = $"http://127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        if (_backplane is not null) await _backplane.DisposeAsync();
    }

    private Dictionary<string, string?> Embedded(string appId, string scope) => Settings.With(Settings.Common(appId, scope, FreeTcpPort.Next()), new()
    {
        ["Parks:State:Provider"] = "Embedded",
        ["Parks:Events:Provider"] = "Embedded",
        ["Parks:Embedded:Address"] = _address,
        ["Parks:Security:InternalKey"] = Key,
    });

    [Fact]
    public async Task Events_cross_apps_through_the_backplane_once_each_and_the_outbox_drains()
    {
        var scope = TestIds.New("s");
        await using var producer = await AppHost.StartAsync(Settings.With(Embedded("embedded-producer", scope), new() { ["TestApp:Consume"] = "false" }));
        await using var consumer = await AppHost.StartAsync(Embedded("embedded-consumer", scope));
        var items = Enumerable.Range(0, 20).Select(i => $"item-{i}").ToList();

        foreach (var item in items) await producer.Items.SubmitAsync(item);

        await Eventually.WaitUntilAsync(async () => await consumer.Items.ItemsWithEffectAsync() == items.Count, "all effects");
        foreach (var item in items) Assert.Equal(1, await consumer.Items.EffectCountAsync(item));
        await Eventually.WaitUntilAsync(async () => await producer.Store.CountQueueAsync("parks:events:embedded-producer:outbox:queue") == 0, "the outbox to drain");
    }

    [Fact]
    public async Task A_consumer_process_killed_before_settling_loses_nothing_and_its_successor_applies_each_effect_once()
    {
        var scope = TestIds.New("s");
        const string appId = "embedded-crashing-consumer";
        await using var producer = await AppHost.StartAsync(Settings.With(Embedded("embedded-crash-producer", scope), new() { ["TestApp:Consume"] = "false" }));
        var items = Enumerable.Range(0, 10).Select(i => $"item-{i}").ToList();
        await using (var child = TestAppProcess.Start(Settings.With(Embedded(appId, scope), new() { ["TestApp:CrashOnItem"] = "item-3" })))
        {
            foreach (var item in items) await producer.Items.SubmitAsync(item);
            // The child kills itself right after committing item-3's effect, before the broker hears back.
            await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        await using var successor = await AppHost.StartAsync(Embedded(appId, scope));

        await Eventually.WaitUntilAsync(async () => await successor.Items.ItemsWithEffectAsync() == items.Count, "every effect after the crash");
        foreach (var item in items) Assert.Equal(1, await successor.Items.EffectCountAsync(item));
    }
}
