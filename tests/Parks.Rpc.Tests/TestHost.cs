using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.Hosting;

namespace Parks.Rpc.Tests;

internal static class Repo
{
    /// <summary>The repository root (the folder holding Parks.sln).</summary>
    public static string Root { get; } = Find();

    public static string NodeDir => Path.Combine(Root, "tests", "node");

    public static string TestProtos => Path.Combine(Root, "tests", "Parks.Rpc.Tests", "Protos");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Parks.sln not found above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A Parks gRPC server on loopback with the shared hosting defaults and the services a test adds. Collects
/// error-level logs so tests can assert that nothing unexpected failed (grpc-dotnet's VerifyNoErrorsScope).
/// </summary>
public sealed class RpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcTestServer(WebApplication app, int grpcPort, int httpPort, ErrorLog errors)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Errors = errors;
    }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string Address => $"http://127.0.0.1:{GrpcPort}";
    public ErrorLog Errors { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<RpcTestServer> StartAsync(Action<IRpcServerBuilder> addServices, Action<RpcServerOptions>? configure = null)
    {
        var grpcPort = Repo.FreePort();
        var httpPort = Repo.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Parks:Endpoints:BindAddress"] = "127.0.0.1";
        builder.Configuration["Parks:Hosting:LogFormat"] = "simple";
        builder.Configuration["Parks:Security:InternalKey"] = "rpc-tests-internal-key-0123456789abcdef";
        var rpc = builder.AddParksDefaults("rpc-tests");
        if (configure is not null) builder.Services.Configure(configure);
        addServices(rpc);
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapParksDefaults();
        await app.StartAsync();
        return new RpcTestServer(app, grpcPort, httpPort, errors);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Collects error-level log entries.</summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>A position to compare against later, so each test checks only the errors logged during it.</summary>
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

/// <summary>Runs the Node.js peers in tests/node.</summary>
internal static class Node
{
    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        EnsureInstalled();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Repo.NodeDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}: {await stdout}{await stderr}");
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>Starts a long-running Node script and waits for the line "PORT n".</summary>
    public static async Task<(Process Process, int Port)> StartServerAsync(params string[] args)
    {
        EnsureInstalled();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Repo.NodeDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException("node server exited: " + await process.StandardError.ReadToEndAsync());
            if (line.StartsWith("PORT ", StringComparison.Ordinal)) return (process, int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void EnsureInstalled()
    {
        if (!Directory.Exists(Path.Combine(Repo.NodeDir, "node_modules", "@grpc", "grpc-js")))
            throw new InvalidOperationException("tests/node/node_modules is missing: run ./test.sh (it runs npm ci in tests/node).");
    }
}
