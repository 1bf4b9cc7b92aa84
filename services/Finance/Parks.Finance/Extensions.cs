namespace Parks.Finance;

internal static class Extensions
{
    /// <summary>The finance service's registrations: options, seed data, repositories, RPC services, event handlers.</summary>
    public static IHostApplicationBuilder AddFinance(this IHostApplicationBuilder builder)
    {
        return builder;
    }
}
