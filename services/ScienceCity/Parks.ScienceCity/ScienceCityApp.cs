using Parks.Hosting;

namespace Parks.ScienceCity;

/// <summary>The Yingshi Science City service (英歌石科学城). Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class ScienceCityApp : IParksService
{
    public static string Name => "sciencecity";

    public static void Configure(WebApplicationBuilder builder) => builder.AddScienceCity();

    public static void Map(WebApplication app)
    {
        app.MapScienceCity();
    }
}
