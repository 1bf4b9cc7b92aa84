using Microsoft.AspNetCore.Builder;

namespace Parks.Hosting;

/// <summary>
/// A Parks service as any host runs it: alone in its own process (its Program.cs) or, in the local run's
/// single-process mode, as one of several WebApplications inside the AppHost, each on its own ports. Every
/// service and the gateway declare exactly one public class implementing this; the AppHost finds it by
/// reflection in the service's assembly. See docs/architecture.md, "Service anatomy".
/// </summary>
public interface IParksService
{
    /// <summary>The service name (<c>Parks:Service:Name</c>): district, branchparks, sciencecity, talent, finance, gateway.</summary>
    static abstract string Name { get; }

    /// <summary>
    /// Every registration of the service, starting with <c>builder.AddParksDefaults(Name)</c>. Reads settings only
    /// from <c>builder.Configuration</c> (never from environment variables or files directly), so that several
    /// services configured differently can share one process.
    /// </summary>
    static abstract void Configure(WebApplicationBuilder builder);

    /// <summary>The pipeline and endpoints of the built app, including <c>app.MapParksDefaults()</c>.</summary>
    static abstract void Map(WebApplication app);
}

/// <summary>Builds and runs an <see cref="IParksService"/>.</summary>
public static class ParksServiceHost
{
    /// <summary>Configures, builds and maps the service on <paramref name="builder"/>.</summary>
    public static WebApplication Build<TService>(WebApplicationBuilder builder) where TService : IParksService
    {
        TService.Configure(builder);
        var app = builder.Build();
        TService.Map(app);
        return app;
    }

    /// <summary>A service's whole Program.cs: <c>await ParksServiceHost.RunAsync&lt;FinanceService&gt;(args);</c></summary>
    public static Task RunAsync<TService>(string[] args) where TService : IParksService =>
        Build<TService>(WebApplication.CreateBuilder(args)).RunAsync();
}
