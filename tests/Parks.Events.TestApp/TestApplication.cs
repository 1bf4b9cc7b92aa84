using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing.V1;

namespace Parks.Events.TestApp;

/// <summary>
/// The test service. Configuration: <c>TestApp:Port</c> (its h2c port, where Dapr delivers), <c>TestApp:Scope</c>
/// (key scope so tests do not share effects), <c>TestApp:CrashOnItem</c> (the process kills itself right after the
/// effect of that item is committed, before the delivery is acknowledged), plus the usual Parks:State and
/// Parks:Events settings.
/// </summary>
public static class TestApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var port = builder.Configuration.GetValue<int>("TestApp:Port");
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));

        builder.Services.AddSingleton(new WorkItems.Settings(
            builder.Configuration["TestApp:Scope"] ?? "default", builder.Configuration["TestApp:CrashOnItem"]));
        builder.Services.AddSingleton<WorkItems>();
        builder.Services.AddSingleton<MemoryTally>();
        builder.Services.AddSingleton<IStateCommitListener, CrashAfterCommit>();
        builder.Services.AddParksState(builder.Configuration);
        var events = builder.AddParksEvents();
        if (builder.Configuration.GetValue("TestApp:Consume", defaultValue: true))
        {
            events.AddHandler<WorkItemSubmitted, WorkItemHandler>()
                .AddHandler<PingRecorded, PingTallyHandler>();
        }

        var app = builder.Build();
        app.MapParksEvents();
        return app;
    }

    /// <summary>Kills the process (SIGKILL) after the configured item's effect is committed.</summary>
    private sealed class CrashAfterCommit(WorkItems.Settings settings) : IStateCommitListener
    {
        private readonly string? _crashKey = settings.CrashOnItem is { Length: > 0 } item ? WorkItems.EffectKey(settings.Scope, item) : null;

        public void Committed(StateTransaction transaction)
        {
            if (_crashKey is null) return;
            if (transaction.Operations.Any(o => o is StateOperation.Put put && put.Key == _crashKey))
            {
                Console.WriteLine($"crashing after committing {_crashKey}");
                Console.Out.Flush();
                Process.GetCurrentProcess().Kill();
            }
        }
    }
}
