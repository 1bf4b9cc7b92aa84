using Parks.Hosting;
using Parks.Hosting.Events;

namespace Parks.District;

/// <summary>The District service (one codebase, six instances: Parks:District:Id). Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class DistrictApp : IParksService
{
    public static string Name => "district";

    public static void Configure(WebApplicationBuilder builder) => builder.AddParksDefaults(Name).AddDistrict(builder);

    public static void Map(WebApplication app)
    {
        app.MapParksDefaults();
        app.MapParksEvents();
    }
}
