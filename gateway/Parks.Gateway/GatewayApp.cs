using Parks.Hosting;

namespace Parks.Gateway;

/// <summary>The gateway: routing, authentication and authorisation, REST/JSON, the city overview and the dashboard. Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class GatewayApp : IParksService
{
    public static string Name => "gateway";

    public static void Configure(WebApplicationBuilder builder) => builder.AddGateway(builder.AddParksDefaults(Name));

    public static void Map(WebApplication app)
    {
        app.MapParksDefaults();
        app.MapGateway();
    }
}
