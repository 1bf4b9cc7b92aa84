using Parks.Hosting.Events;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.District.Rpc;
using Parks.Rpc;
using Parks.Units;
using Parks.Units.Application;

namespace Parks.District;

/// <summary>Which district this instance is (<c>Parks:District</c>).</summary>
public sealed class DistrictOptions
{
    public const string Section = "Parks:District";

    /// <summary>lingshui, qixianling, xiaopingdao, huangnichuan, longwangtang or longtou.</summary>
    [Required]
    public string Id { get; set; } = string.Empty;
}

public static class Extensions
{
    /// <summary>The District service's registrations: its district, the shared units services, DistrictService.</summary>
    public static IRpcServerBuilder AddDistrict(this IRpcServerBuilder rpc, WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<DistrictOptions>().BindConfiguration(DistrictOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => Zone.IsDistrict(o.Id),
                $"{DistrictOptions.Section}:Id must be one of the six districts: {string.Join(", ", Zone.Districts.Select(d => d.Id))}")
            .ValidateOnStart();
        // Each instance has its own app id (outbox queue, Dapr app-id): parks-district-<id>.
        var id = configuration[$"{DistrictOptions.Section}:Id"];
        if (!string.IsNullOrEmpty(id)) configuration.SetDefaultEventsAppId($"parks-district-{id}");

        return rpc
            .AddUnits(builder, sp => new DistrictScope(sp.GetRequiredService<IOptions<DistrictOptions>>().Value.Id))
            .AddService<DistrictRpc>();
    }
}
