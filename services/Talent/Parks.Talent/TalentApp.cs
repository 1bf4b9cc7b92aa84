using Parks.Hosting;

namespace Parks.Talent;

/// <summary>The shared Talent service. Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class TalentApp : IParksService
{
    public static string Name => "talent";

    public static void Configure(WebApplicationBuilder builder) => builder.AddTalent();

    public static void Map(WebApplication app)
    {
        app.MapTalent();
    }
}
