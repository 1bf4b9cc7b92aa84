using Parks.Hosting.Events;
using Parks.BranchParks.Rpc;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Units;
using Parks.Units.Application;

namespace Parks.BranchParks;

public static class Extensions
{
    /// <summary>The Branch Parks service's registrations: every park of the catalogue, the shared units services, BranchParkService.</summary>
    public static IRpcServerBuilder AddBranchParks(this IRpcServerBuilder rpc, WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        configuration.SetDefaultEventsAppId("parks-branchparks");
        return rpc
            .AddUnits(builder, sp => new BranchParkScope(sp.GetRequiredService<IStateStore>()))
            .AddService<BranchParkRpc>();
    }
}
