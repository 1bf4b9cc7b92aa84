using Parks.Testing;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.Domain;
using Parks.Hosting;
using Parks.Hosting.State;
using Parks.Rpc;

namespace Parks.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway in process on loopback (gRPC h2c and HTTP/1.1 ports), configured like production — caller keys,
/// backend addresses — with the test services added to its allow-list.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>Every caller the tests use: the Science City, six districts, two branch parks, the dashboard, an operator.</summary>
    public static readonly string[] Callers =
    [
        "sciencecity",
        .. Parks.Domain.Zone.Districts.Select(d => "district-" + d.Id),
        "branchpark-jinpu", "branchpark-lvshun",
        "dashboard", "operator",
    ];

    private static int _instances;
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, int grpcPort, int httpPort, IReadOnlyDictionary<string, string> keys, ErrorLog errors)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Keys = keys;
        Errors = errors;
        Channel = RpcChannel.ForAddress(GrpcAddress);
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(HttpAddress) };
    }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";
    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";
    public IReadOnlyDictionary<string, string> Keys { get; }
    public ErrorLog Errors { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>A gRPC channel to the gateway (callers choose their credentials per call).</summary>
    public RpcChannel Channel { get; }

    /// <summary>An HTTP/1.1 client for the REST edge (no cookie jar: tests send cookies explicitly).</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the gateway in front of the given backends (name → server, e.g. "district-lingshui").</summary>
    public static Task<GatewayHost> StartAsync(IReadOnlyDictionary<string, BackendServer> backends, Action<IDictionary<string, string?>>? configure = null, Action<IServiceCollection>? services = null) =>
        FreeTcpPort.StartWithRetryAsync(() => StartOnceAsync(backends, configure, services));

    private static async Task<GatewayHost> StartOnceAsync(IReadOnlyDictionary<string, BackendServer> backends, Action<IDictionary<string, string?>>? configure, Action<IServiceCollection>? services)
    {
        var grpcPort = Repo.FreePort();
        var httpPort = Repo.FreePort();
        var keys = Callers.ToDictionary(c => c, c => $"test-{c}-{Guid.NewGuid():N}", StringComparer.Ordinal);
        var settings = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Hosting:ShutdownTimeoutSeconds"] = "1",
            ["Parks:Security:InternalKey"] = TestSettings.InternalKey,
            ["Parks:Gateway:Overview:UnitTimeoutMilliseconds"] = "1500",
            ["Parks:Gateway:Overview:FreshMilliseconds"] = "0",
            ["Parks:Gateway:Overview:RetryFailedAfterMilliseconds"] = "0",
        };
        foreach (var (caller, key) in keys) settings[$"Parks:Gateway:ApiKeys:{caller}"] = key;
        foreach (var (name, server) in backends) settings[$"Parks:Services:{name}"] = server.Address;
        configure?.Invoke(settings);

        // Each test gateway is its own app for the in-process event broker, with its own state store.
        settings["Parks:Events:AppId"] = $"parks-gateway-test-{Interlocked.Increment(ref _instances)}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        var rpc = builder.AddParksDefaults("gateway");
        builder.Services.AddSingleton(new InMemoryStateStore());
        services?.Invoke(builder.Services);
        builder.AddGateway(rpc, TestSettings.Api);
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapParksDefaults();
        app.MapGateway();
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        return new GatewayHost(app, grpcPort, httpPort, keys, errors);
    }

    /// <summary>Call options carrying a caller's API key.</summary>
    public CallOptions As(string caller, DateTime? deadline = null, Metadata? extra = null)
    {
        var headers = new Metadata { { "authorization", "Bearer " + Keys[caller] } };
        foreach (var entry in extra ?? []) headers.Add(entry);
        return new CallOptions(headers, deadline ?? DateTime.UtcNow.AddSeconds(20));
    }

    public HttpRequestMessage Rest(HttpMethod method, string path, string? caller, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (caller is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Keys[caller]);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
