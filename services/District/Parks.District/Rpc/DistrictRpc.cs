using Parks.District.V1;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Domain;
using U = Parks.Units.V1;

namespace Parks.District.Rpc;

/// <summary>parks.district.v1.DistrictService: the district's profile from the documents.</summary>
public sealed class DistrictRpc(DistrictOperations districts) : DistrictService.DistrictServiceBase
{
    public override async Task<GetDistrictResponse> GetDistrict(GetDistrictRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var (profile, enterprises) = await districts.GetAsync(request.Name, context.CancellationToken);
        var district = new V1.District
        {
            Name = profile.Unit.ResourceName,
            Id = profile.Id,
            NameZh = profile.NameZh,
            NameEn = profile.NameEn,
            FullNameZh = profile.FullNameZh,
            PositioningZh = profile.PositioningZh,
            PositioningEn = profile.PositioningEn,
            IsZoneStreet = profile.IsOneOfZoneStreets,
            StreetNote = profile.StreetNote is { } note ? Sourced(note) : null,
            EnterpriseCount = enterprises,
        };
        district.PositioningSrc.AddRange(profile.PositioningSrc);
        district.PositioningVariants.AddRange(profile.PositioningVariants.Select(Sourced));
        district.IndustryIds.AddRange(profile.IndustryIds);
        district.NamedCarriers.AddRange(profile.NamedCarriers.Select(Sourced));
        return new GetDistrictResponse { District = district };
    }

    private static U.SourcedText Sourced(SourcedText text)
    {
        var proto = new U.SourcedText { Text = text.Text };
        proto.Src.AddRange(text.Src);
        return proto;
    }
}
