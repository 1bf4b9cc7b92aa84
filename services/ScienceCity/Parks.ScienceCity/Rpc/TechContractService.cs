using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Storage;
using V1 = Parks.ScienceCity.V1;

namespace Parks.ScienceCity.Rpc;

/// <summary>parks.sciencecity.v1.TechContractService: maps requests to <see cref="TechContractStore"/>.</summary>
internal sealed class TechContractService(TechContractStore contracts) : V1.TechContractService.TechContractServiceBase
{
    public override async Task<V1.GetTechContractResponse> GetTechContract(V1.GetTechContractRequest request, ServerCallContext context)
    {
        context.GetCaller();
        return new() { TechContract = (await contracts.GetAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListTechContractsResponse> ListTechContracts(V1.ListTechContractsRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var page = await contracts.ListAsync(request.SignedYear == 0 ? null : request.SignedYear, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListTechContractsResponse { NextPageToken = page.NextPageToken, TotalSize = (int)Math.Max(0, page.TotalSize) };
        response.TechContracts.AddRange(page.Items.Select(c => c.ToProto()));
        return response;
    }

    public override async Task<V1.CreateTechContractResponse> CreateTechContract(V1.CreateTechContractRequest request, ServerCallContext context)
    {
        PlatformService.DemandWrite(context, "register technology contracts");
        var c = request.TechContract ?? throw new ValidationException("tech_contract", "is required");
        var draft = new TechContractDraft(c.RegistrationNumber, ((int)c.Type).Required<TechContractType>("tech_contract.type"),
            c.Seller.ToDomain("tech_contract.seller"), c.Buyer.ToDomain("tech_contract.buyer"), new Fen(c.ValueFen),
            c.SignedDate.ToDate("tech_contract.signed_date"), c.ResearchProject.NullIfEmpty());
        var created = await contracts.CreateAsync(request.TechContractId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { TechContract = created.ToProto() };
    }

    public override async Task<V1.GetTechContractTurnoverResponse> GetTechContractTurnover(V1.GetTechContractTurnoverRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var years = await contracts.TurnoverAsync(request.Years.ToList(), context.CancellationToken);
        var response = new V1.GetTechContractTurnoverResponse
        {
            TotalFen = years.Aggregate(0L, (s, y) => checked(s + y.Total.Value)),
            ContractCount = years.Sum(y => y.ContractCount),
        };
        response.Years.AddRange(years.Select(y => y.ToProto()));
        return response;
    }
}
