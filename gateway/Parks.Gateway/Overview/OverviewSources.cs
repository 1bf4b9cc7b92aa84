using Grpc.Health.V1;
using Parks.Domain;
using Parks.Gateway.Proxy;
using Parks.Gateway.V1;
using UnitKind = Parks.Gateway.V1.UnitKind;
using Parks.Rpc;

namespace Parks.Gateway.Overview;

/// <summary>What one source contributes to the city overview (figures only; the composer adds freshness).</summary>
internal abstract record OverviewPart;

/// <summary>Sections of units: one for a district or the Science City, one per park for the branch-parks service.</summary>
internal sealed record UnitsPart(IReadOnlyList<UnitSection> Units) : OverviewPart;

internal sealed record TalentPart(TalentSection Section) : OverviewPart;

internal sealed record FinancePart(FinanceSection Section) : OverviewPart;

/// <summary>One backend the overview asks for its figures, each fetch with its own deadline (in the options).</summary>
internal interface IOverviewSource
{
    /// <summary>The backend (a key of <c>Parks:Services</c>), also the source's name.</summary>
    string Backend { get; }

    /// <summary>The unit sections this source stands for before it has ever answered (shown UNAVAILABLE, without figures).</summary>
    IReadOnlyList<UnitSection> Placeholders { get; }

    Task<OverviewPart> FetchAsync(Backend backend, CallOptions options);
}

/// <summary>Names of the units the overview always shows (the zone's layout, 000:152, 001:59, 001:61).</summary>
internal static class UnitCatalog
{
    public static UnitSection ScienceCity() => new()
    {
        Unit = UnitRef.ScienceCity.ResourceName,
        Kind = UnitKind.ScienceCity,
        DisplayNameZh = "英歌石科学城",
        DisplayNameEn = "Yinggeshi Science City",
    };

    public static UnitSection District(DistrictInfo district) => new()
    {
        Unit = UnitRef.District(district.Id).ResourceName,
        Kind = UnitKind.District,
        DisplayNameZh = district.NameZh,
        DisplayNameEn = district.NameEn,
    };

    /// <summary>The five branch parks the documents name (000:152, 001:61); the branch-parks service may list more.</summary>
    public static IReadOnlyList<UnitSection> SeedParks() =>
    [
        Park("changxingdao", "长兴岛分园", "Changxing Island Branch Park"),
        Park("jinpu", "金普分园", "Jinpu Branch Park"),
        Park("ganjingzi", "甘井子分园", "Ganjingzi Branch Park"),
        Park("lvshun", "旅顺分园", "Lüshun Branch Park"),
        Park("wafangdian", "瓦房店分园", "Wafangdian Branch Park"),
    ];

    public static UnitSection Park(string id, string nameZh, string nameEn) => new()
    {
        Unit = UnitRef.Park(id).ResourceName,
        Kind = UnitKind.BranchPark,
        DisplayNameZh = nameZh,
        DisplayNameEn = nameEn,
    };
}

/// <summary>
/// A source that only learns whether the backend is ready (grpc.health.v1 "readiness"): its sections carry no
/// figures. Used for backends whose figure-giving RPCs the gateway does not read yet.
/// </summary>
internal sealed class ReadinessSource(string backend, IReadOnlyList<UnitSection> placeholders, Func<OverviewPart> part) : IOverviewSource
{
    public string Backend { get; } = backend;

    public IReadOnlyList<UnitSection> Placeholders { get; } = placeholders;

    public async Task<OverviewPart> FetchAsync(Backend target, CallOptions options)
    {
        var client = new Health.HealthClient(target.Channel);
        var response = await client.CheckAsync(new HealthCheckRequest { Service = "readiness" }, options);
        if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving)
            throw new RpcException(new Status(StatusCode.Unavailable, $"{Backend} is not ready ({response.Status})."));
        return part();
    }
}
