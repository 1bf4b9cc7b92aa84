using Parks.Hosting;
using Parks.Hosting.Events;

namespace Parks.BranchParks;

/// <summary>The Branch Parks service (every branch park; parks are data). Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class BranchParksApp : IParksService
{
    public static string Name => "branchparks";

    public static void Configure(WebApplicationBuilder builder) => builder.AddParksDefaults(Name).AddBranchParks(builder);

    public static void Map(WebApplication app)
    {
        app.MapParksDefaults();
        app.MapParksEvents();
    }
}
