using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parks.DaprSidecarDouble;
using Parks.Events.TestApp;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.Events.Tests;

[CollectionDefinition(RedisServerFixture.Collection)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;

/// <summary>Configuration of one test-app instance.</summary>
internal static class Settings
{
    public static Dictionary<string, string?> Common(string appId, string scope, int port) => new()
    {
        ["TestApp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TestApp:Scope"] = scope,
        ["Parks:Events:AppId"] = appId,
        ["Parks:Events:MaxAttempts"] = "3",
        ["Parks:Events:ProcessingTimeout"] = "00:00:02",
        ["Parks:Events:Outbox:PollInterval"] = "00:00:00.200",
        ["Parks:Events:Outbox:MaxRetryDelay"] = "00:00:00.500",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static Dictionary<string, string?> InMemory(string appId, string scope, int port) => With(Common(appId, scope, port), new()
    {
        ["Parks:State:Provider"] = "InMemory",
        ["Parks:Events:Provider"] = "InMemory",
    });

    public static Dictionary<string, string?> Redis(string appId, string scope, int port, string redis, string streamPrefix) =>
        With(Common(appId, scope, port), new()
        {
            ["Parks:State:Provider"] = "Redis",
            ["Parks:State:Redis"] = redis,
            ["Parks:Events:Provider"] = "Redis",
            ["Parks:Events:Redis:StreamKeyPrefix"] = streamPrefix,
            ["Parks:Events:Redis:ReclaimInterval"] = "00:00:00.250",
        });

    public static Dictionary<string, string?> Dapr(string appId, string scope, int port, string redis, string sidecarEndpoint,
        string? daprToken = null, string? appToken = null) =>
        With(Common(appId, scope, port), new()
        {
            ["Parks:State:Provider"] = "Redis",
            ["Parks:State:Redis"] = redis,
            ["Parks:Events:Provider"] = "Dapr",
            ["Parks:Events:Dapr:HttpEndpoint"] = sidecarEndpoint,
            ["Parks:Events:Dapr:ApiToken"] = daprToken,
            ["Parks:Events:Dapr:AppApiToken"] = appToken,
        });

    public static Dictionary<string, string?> With(Dictionary<string, string?> settings, Dictionary<string, string?> more)
    {
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    /// <summary>Configuration keys as environment variables for a child process.</summary>
    public static Dictionary<string, string?> AsEnvironment(Dictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
}

/// <summary>The test app hosted in this process.</summary>
internal sealed class AppHost : IAsyncDisposable
{
    private AppHost(WebApplication app, int port)
    {
        App = app;
        Port = port;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public IServiceProvider Services => App.Services;

    public WorkItems Items => Services.GetRequiredService<WorkItems>();

    public IDeadLetters DeadLetters => Services.GetRequiredService<IDeadLetters>();

    public IStateStore Store => Services.GetRequiredService<IStateStore>();

    /// <param name="services">Registrations made before the app's own (e.g. a private in-memory broker and store).</param>
    public static async Task<AppHost> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var port = int.Parse(settings["TestApp:Port"]!, System.Globalization.CultureInfo.InvariantCulture);
        var app = TestApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new AppHost(app, port);
    }

    /// <summary>An HTTP/2-only client for the app's h2c port (what Dapr with app-protocol h2c uses).</summary>
    public HttpClient H2cClient() => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A request that HttpClient sends as HTTP/2 with prior knowledge (its defaults apply only to GetAsync and friends).</summary>
    public static HttpRequestMessage H2cRequest(HttpMethod method, string path) => new(method, path)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}

/// <summary>Private in-memory broker and store, so in-memory tests do not see each other's events.</summary>
internal sealed class InMemoryWorld
{
    public InMemoryEventBroker Broker { get; } = new();

    public InMemoryStateStore Store { get; } = new();

    public void Register(IServiceCollection services)
    {
        services.AddSingleton(Broker);
        services.AddSingleton(Store);
    }
}

internal static class TestAppProcess
{
    /// <summary>The built test app next to this test assembly's build output.</summary>
    public static string AssemblyPath
    {
        get
        {
            var here = AppContext.BaseDirectory;
            var local = Path.Combine(here, "Parks.Events.TestApp.dll");
            var sibling = here.Replace($"{Path.DirectorySeparatorChar}Parks.Events.Tests{Path.DirectorySeparatorChar}",
                $"{Path.DirectorySeparatorChar}Parks.Events.TestApp{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
            var candidate = Path.Combine(sibling, "Parks.Events.TestApp.dll");
            return File.Exists(candidate) ? candidate : local;
        }
    }

    public static ChildProcess Start(Dictionary<string, string?> settings) =>
        ChildProcess.StartDotnet(AssemblyPath, Settings.AsEnvironment(settings));
}

internal static class SidecarFor
{
    public static Task<SidecarDouble> StartAsync(string appId, int appPort, RedisServerFixture redis, string streamPrefix,
        Action<DaprSidecarDoubleOptions>? configure = null)
    {
        var options = new DaprSidecarDoubleOptions
        {
            AppId = appId,
            AppPort = appPort,
            Redis = redis.ConnectionString,
            StreamKeyPrefix = streamPrefix,
            MaxRetries = 3,
            RetryInterval = TimeSpan.FromMilliseconds(100),
            ProcessingTimeout = TimeSpan.FromSeconds(3),
            RedeliverInterval = TimeSpan.FromMilliseconds(250),
        };
        configure?.Invoke(options);
        return SidecarDouble.StartNewAsync(options);
    }
}
