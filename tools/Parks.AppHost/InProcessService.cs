using System.Reflection;
using System.Runtime.Loader;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Parks.Hosting;

namespace Parks.AppHost;

/// <summary>
/// A service hosted inside the AppHost (single-process mode): its assembly is loaded from its own build output,
/// its <see cref="IParksService"/> class configures a WebApplication of its own, on its own ports, with its
/// project folder as content root.
/// </summary>
internal sealed class InProcessService : RunningService
{
    private static readonly MethodInfo BuildMethod = typeof(ParksServiceHost).GetMethod(nameof(ParksServiceHost.Build))!;
    private static readonly HashSet<string> ProbeDirectories = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static InProcessService() => AssemblyLoadContext.Default.Resolving += (context, name) =>
    {
        // Assemblies a service has that the AppHost does not (its own libraries): from the service's output folder.
        lock (ProbeDirectories)
        {
            foreach (var directory in ProbeDirectories)
            {
                var candidate = Path.Combine(directory, name.Name + ".dll");
                if (File.Exists(candidate)) return context.LoadFromAssemblyPath(candidate);
            }
        }
        return null;
    };

    private InProcessService(ServiceInstance instance, int index, int grpcPort, int httpPort, WebApplication app)
        : base(instance, index, grpcPort, httpPort)
    {
        _app = app;
        app.Lifetime.ApplicationStopped.Register(() => _exited.TrySetResult("stopped"));
    }

    public override Task<string> Exited => _exited.Task;

    public override string RecentOutput => "(in-process: see the console above)";

    public static async Task<InProcessService> StartAsync(ServiceInstance instance, int index, int grpcPort, int httpPort,
        IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var serviceType = FindServiceType(instance.Build);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = instance.Build.AssemblyName,
            ContentRootPath = instance.Build.ProjectDirectory,
            EnvironmentName = settings.TryGetValue("DOTNET_ENVIRONMENT", out var environment) ? environment : Environments.Development,
            Args = [],
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        WebApplication app;
        try
        {
            app = (WebApplication)BuildMethod.MakeGenericMethod(serviceType).Invoke(null, [builder])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"{instance.AppId} could not be built: {e.InnerException.Message}", e.InnerException);
        }
        await app.StartAsync(cancellationToken);
        return new InProcessService(instance, index, grpcPort, httpPort, app);
    }

    /// <summary>The service's one public <see cref="IParksService"/> class (docs/architecture.md, "Service anatomy").</summary>
    internal static Type FindServiceType(ServiceBuild build)
    {
        lock (ProbeDirectories) ProbeDirectories.Add(Path.GetDirectoryName(build.AssemblyPath)!);
        var assembly = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == build.AssemblyName)
            ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(build.AssemblyPath);
        var candidates = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IParksService).IsAssignableFrom(t))
            .ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new InvalidOperationException(
                $"{build.AssemblyName} has no public class implementing Parks.Hosting.IParksService, so it cannot run in the AppHost's process " +
                "(docs/architecture.md, \"Service anatomy\"). Run without --single-process."),
            _ => throw new InvalidOperationException($"{build.AssemblyName} has {candidates.Count} IParksService classes; it must have exactly one."),
        };
    }

    public override async Task StopAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _app.StopAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // The host gave up draining: what is left is disposed below.
        }
        _exited.TrySetResult("stopped");
    }

    public override async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
