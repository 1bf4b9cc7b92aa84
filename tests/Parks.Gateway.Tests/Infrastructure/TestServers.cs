using Parks.Testing;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.Gateway.Api;
using Parks.Hosting;
using Parks.Rpc;

namespace Parks.Gateway.Tests.Infrastructure;

internal static class Repo
{
    /// <summary>The repository root (the folder holding Parks.sln).</summary>
    public static string Root => Parks.Testing.RepoRoot.Path;

    public static int FreePort() => FreeTcpPort.Next();

    /// <summary>Where tests keep artifacts (screenshots): TestResults/ under the test project's output folder.</summary>
    public static string ArtifactsDir
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}

/// <summary>Settings every test host shares.</summary>
internal static class TestSettings
{
    public const string InternalKey = "gateway-tests-internal-key-0123456789abcdef";

    /// <summary>The test services' allow-list, added to the gateway's own.</summary>
    public static string TestAllowList
    {
        get
        {
            using var stream = typeof(TestSettings).Assembly.GetManifestResourceStream("Parks.Gateway.Tests.test-allow-list.json")!;
            return new StreamReader(stream).ReadToEnd();
        }
    }

    /// <summary>The gateway's API with the test services (loaded once: descriptors and the allow-list do not change).</summary>
    public static GatewayApi Api => LazyApi.Value;

    private static readonly Lazy<GatewayApi> LazyApi = new(() => new GatewayApi([typeof(TestSettings).Assembly], [TestAllowList]));
}

/// <summary>
/// A Parks server on loopback with the shared hosting defaults and the services a test adds (a fake backend).
/// It can be stopped and started again on the same port, as a crashed and restarted unit would be.
/// </summary>
public sealed class BackendServer : IAsyncDisposable
{
    private readonly Action<IRpcServerBuilder> _addServices;
    private WebApplication? _app;

    private BackendServer(string name, int port, Action<IRpcServerBuilder> addServices)
    {
        Name = name;
        GrpcPort = port;
        _addServices = addServices;
    }

    public string Name { get; }
    public int GrpcPort { get; }
    public string Address => $"http://127.0.0.1:{GrpcPort}";
    public bool IsRunning => _app is not null;
    public ErrorLog Errors { get; } = new();

    public static Task<BackendServer> StartAsync(string name, Action<IRpcServerBuilder> addServices) =>
        FreeTcpPort.StartWithRetryAsync(async () =>
        {
            var server = new BackendServer(name, Repo.FreePort(), addServices);
            await server.StartAsync();
            return server;
        });

    public async Task StartAsync()
    {
        if (_app is not null) return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Parks:Endpoints:GrpcPort"] = GrpcPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:HttpPort"] = Repo.FreePort().ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:BindAddress"] = "127.0.0.1";
        builder.Configuration["Parks:Hosting:LogFormat"] = "simple";
        builder.Configuration["Parks:Hosting:ShutdownTimeoutSeconds"] = "1";
        builder.Configuration["Parks:Security:InternalKey"] = TestSettings.InternalKey;
        var rpc = builder.AddParksDefaults("fake-" + Name);
        _addServices(rpc);
        builder.Logging.AddProvider(Errors);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapParksDefaults();
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is not { } app) return;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>Collects error-level log entries (a functional test fails when a server logged an unexpected error).</summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public int Mark() => _entries.Count;

    public IEnumerable<string> Since(int mark) => _entries.Skip(mark);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(ErrorLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner._entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
