namespace Parks.Talent;

internal static class Extensions
{
    /// <summary>The talent service's registrations: options, seed data, repositories, RPC services, event handlers.</summary>
    public static IHostApplicationBuilder AddTalent(this IHostApplicationBuilder builder)
    {
        return builder;
    }
}
