using Parks.Hosting;

namespace Parks.Finance;

/// <summary>The shared Finance service. Run by Program.cs and, in single-process mode, by the AppHost.</summary>
public sealed class FinanceApp : IParksService
{
    public static string Name => "finance";

    public static void Configure(WebApplicationBuilder builder) => builder.AddFinance();

    public static void Map(WebApplication app)
    {
        app.MapFinance();
    }
}
