using Parks.BranchParks.V1;
using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Rpc;
using D = Parks.Units.Domain;
using U = Parks.Units.V1;

namespace Parks.BranchParks.Rpc;

/// <summary>parks.branchparks.v1.BranchParkService: the park catalogue; operators add parks.</summary>
public sealed class BranchParkRpc(BranchParkOperations parks) : BranchParkService.BranchParkServiceBase
{
    public override async Task<ListBranchParksResponse> ListBranchParks(ListBranchParksRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var page = await parks.ListAsync(request.PageSize, request.PageToken, context.CancellationToken);
        var response = new ListBranchParksResponse { NextPageToken = page.NextPageToken };
        response.BranchParks.AddRange(page.Items.Select(p => ToProto(p.Park, p.Enterprises)));
        return response;
    }

    public override async Task<GetBranchParkResponse> GetBranchPark(GetBranchParkRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var (park, enterprises) = await parks.GetAsync(request.Name, context.CancellationToken);
        return new GetBranchParkResponse { BranchPark = ToProto(park, enterprises) };
    }

    public override async Task<CreateBranchParkResponse> CreateBranchPark(CreateBranchParkRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        if (caller.Role is not (CallerRole.Operator or CallerRole.Service))
            throw new PermissionDeniedException($"caller '{caller.Id}' may not add branch parks (operators only)");
        var park = await parks.CreateAsync(request.BranchParkId, request.BranchPark?.NameZh, ProtoMapping.NullIfEmpty(request.BranchPark?.NameEn),
            ProtoMapping.NullIfEmpty(request.RequestId), context.CancellationToken);
        return new CreateBranchParkResponse { BranchPark = ToProto(park, 0) };
    }

    private static V1.BranchPark ToProto(D.BranchPark park, long enterprises)
    {
        var proto = new V1.BranchPark
        {
            Name = park.Unit.ResourceName,
            NameZh = park.NameZh,
            NameEn = park.NameEn ?? "",
            CreateTime = ProtoMapping.ToProto(park.CreateTime),
            EnterpriseCount = enterprises,
        };
        proto.NameVariants.AddRange(park.NameVariants.Select(Sourced));
        proto.AreaFacts.AddRange(park.AreaFacts.Select(Sourced));
        proto.Src.AddRange(park.Src ?? []);
        return proto;
    }

    private static U.SourcedText Sourced(D.SourcedText text)
    {
        var proto = new U.SourcedText { Text = text.Text };
        proto.Src.AddRange(text.Src);
        return proto;
    }
}
