using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.Hosting;
using Parks.Rpc;

namespace Parks.Observability.Tests.Support;

/// <summary>A Parks host in the test process on free loopback ports, with the shared defaults.</summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHost(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessHost> StartAsync(string name, Action<WebApplicationBuilder, IRpcServerBuilder>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var grpcPort = TestEnvironment.FreePort();
        var httpPort = TestEnvironment.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:BindAddress"] = "127.0.0.1";
        builder.Configuration["Parks:Hosting:LogFormat"] = "simple";
        builder.Configuration["Parks:Security:InternalKey"] = "observability-tests-key-0123456789abcdef";
        if (settings is not null)
        {
            foreach (var (key, value) in settings) builder.Configuration[key] = value;
        }
        var rpc = builder.AddParksDefaults(name);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder, rpc);
        var app = builder.Build();
        app.MapParksDefaults();
        await app.StartAsync();
        return new InProcessHost(app, grpcPort, httpPort);
    }

    public async Task<string> GetMetricsAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(HttpAddress + "/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
