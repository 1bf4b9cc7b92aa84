namespace Parks.ScienceCity;

internal static class Extensions
{
    /// <summary>The Science City's registrations: options, seed data, repositories, RPC services, event handlers.</summary>
    public static IHostApplicationBuilder AddScienceCity(this IHostApplicationBuilder builder)
    {
        return builder;
    }
}
