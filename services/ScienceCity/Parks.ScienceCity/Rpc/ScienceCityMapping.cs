using Parks.Domain;
using Parks.Rpc.Mapping;
using Parks.ScienceCity.Domain;
using Parks.Storage;
using V1 = Parks.ScienceCity.V1;

namespace Parks.ScienceCity.Rpc;

/// <summary>Domain records to their protobuf messages (and the few request parts that become domain values).</summary>
internal static class ScienceCityMapping
{
    public static V1.Platform ToProto(this Versioned<Platform> v)
    {
        var p = v.Value;
        var message = new V1.Platform
        {
            Name = p.Name,
            DisplayName = p.DisplayName,
            Kind = (V1.PlatformKind)p.Kind,
            Level = (V1.PlatformLevel)p.Level,
            HostInstitution = p.HostInstitution,
            Domain = p.Domain is { } d ? (V1.ResearchDomain)d : V1.ResearchDomain.Unspecified,
            StatusNote = p.StatusNote ?? "",
            Admission = new V1.Admission
            {
                Status = (V1.AdmissionStatus)p.Admission.Status,
                AdmissionBatch = p.Admission.Batch is { } b ? AdmissionBatch.NameOf(b) : "",
                ListedDate = p.Admission.ListedDate.ToProto(),
                AdmittedDate = p.Admission.AdmittedDate.ToProto(),
                DeclineReason = p.Admission.DeclineReason ?? "",
            },
            Source = p.Source ?? "",
            CreateTime = p.CreateTime.ToProto(),
            UpdateTime = p.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.Evaluations.AddRange(p.Evaluations.Select(e => new V1.PlatformEvaluation
        {
            Year = e.Year,
            Result = (V1.EvaluationResult)e.Result,
            Evaluator = e.Evaluator,
            EvaluationDate = e.Date.ToProto(),
        }));
        return message;
    }

    public static V1.AdmissionBatch ToProto(this Versioned<AdmissionBatch> v) => new()
    {
        Name = v.Value.Name,
        DisplayName = v.Value.DisplayName,
        PlannedCount = v.Value.PlannedCount,
        ListedCount = v.Value.ListedCount,
        AdmittedCount = v.Value.AdmittedCount,
        Source = v.Value.Source ?? "",
        Etag = v.Etag,
    };

    public static V1.ResearchProject ToProto(this Versioned<ResearchProject> v)
    {
        var p = v.Value;
        var message = new V1.ResearchProject
        {
            Name = p.Name,
            Title = p.Title,
            LeadInstitution = p.LeadInstitution,
            Platform = p.Platform ?? "",
            Domain = p.Domain is { } d ? (V1.ResearchDomain)d : V1.ResearchDomain.Unspecified,
            Industry = p.Industry,
            Stage = (V1.ResearchStage)p.Stage,
            ExpectedInvestmentFen = p.ExpectedInvestment?.Value ?? 0,
            Landing = p.Landing?.ToProto(),
            CreateTime = p.CreateTime.ToProto(),
            UpdateTime = p.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.CoBuilders.AddRange(p.CoBuilders);
        message.Gates.AddRange(p.Gates.Select(g =>
        {
            var gate = new V1.StageGate { Stage = (V1.ResearchStage)g.Stage, EnteredDate = g.EnteredDate.ToProto(), ApprovedBy = g.ApprovedBy, RecordTime = g.RecordTime.ToProto() };
            gate.Evidence.AddRange(g.Evidence.Select(ToProto));
            return gate;
        }));
        message.PastLandings.AddRange(p.PastLandings.Select(l => l.ToProto()));
        return message;
    }

    private static V1.Landing ToProto(this Landing l) => new()
    {
        Unit = l.Unit.ResourceName,
        Status = (V1.LandingStatus)l.Status,
        Attempt = l.Attempt,
        ReferredTime = l.ReferredTime.ToProto(),
        Referral = l.Referral ?? "",
        Project = l.Project ?? "",
        DeclineReason = l.Reason ?? "",
    };

    private static V1.Evidence ToProto(Evidence e) => new() { Kind = e.Kind, Title = e.Title, Reference = e.Reference ?? "" };

    public static IReadOnlyList<Evidence> ToDomain(this IEnumerable<V1.Evidence> evidence) =>
        evidence.Select(e => new Evidence(e.Kind, e.Title, e.Reference.NullIfEmpty())).ToList();

    public static V1.TechContract ToProto(this Versioned<TechContract> v)
    {
        var c = v.Value;
        return new V1.TechContract
        {
            Name = c.Name,
            RegistrationNumber = c.RegistrationNumber,
            Type = (V1.TechContractType)c.Type,
            Seller = ToProto(c.Seller),
            Buyer = ToProto(c.Buyer),
            ValueFen = c.Value.Value,
            SignedDate = c.SignedDate.ToProto(),
            ResearchProject = c.ResearchProject ?? "",
            CreateTime = c.CreateTime.ToProto(),
        };
    }

    private static V1.ContractParty ToProto(ContractParty p) => new() { DisplayName = p.DisplayName, Kind = (V1.PartyKind)p.Kind, Uscc = p.Uscc ?? "" };

    public static ContractParty ToDomain(this V1.ContractParty? p, string field) =>
        p is null
            ? throw new ValidationException(field, "is required")
            : new ContractParty(p.DisplayName, ((int)p.Kind).Required<PartyKind>($"{field}.kind"), p.Uscc.NullIfEmpty());

    public static V1.TechContractTurnover ToProto(this TechContractTurnover t) => new() { Year = t.Year, TotalFen = t.Total.Value, ContractCount = t.ContractCount };
}
