using Google.Protobuf.WellKnownTypes;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Storage;
using D = Parks.Units.Domain;
using Tier = Parks.Common.V1.EnterpriseTier;
using V1 = Parks.Units.V1;

namespace Parks.Units.Rpc;

/// <summary>
/// Protobuf ↔ domain. Enum numbers match on both sides by design (the domain enums mirror the protos), so
/// enums convert by number and the domain rejects values it does not know.
/// </summary>
public static class ProtoMapping
{
    public static Google.Type.Date? ToProto(DateOnly? date) =>
        date is { } d ? new Google.Type.Date { Year = d.Year, Month = d.Month, Day = d.Day } : null;

    /// <summary>An unset or all-zero date is null; an impossible date (2023-02-30) is INVALID_ARGUMENT on <paramref name="field"/>.</summary>
    public static DateOnly? ToDate(Google.Type.Date? date, string field)
    {
        if (date is null || (date.Year == 0 && date.Month == 0 && date.Day == 0)) return null;
        if (date.Year is < 1 or > 9999 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
            throw new ValidationException(field, $"{date.Year:0000}-{date.Month:00}-{date.Day:00} is not a calendar date");
        return new DateOnly(date.Year, date.Month, date.Day);
    }

    public static Timestamp ToProto(DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    public static Tier ToProto(D.EnterpriseTier tier) => (Tier)(int)tier;

    public static D.EnterpriseTier ToDomain(Tier tier) => (D.EnterpriseTier)(int)tier;

    public static DataSetFilter ToDomain(V1.DataSet dataSet) => (DataSetFilter)(int)dataSet;

    public static V1.Enterprise ToProto(Stored<D.Enterprise> stored, D.TierRules rules, DateOnly today)
    {
        var proto = ToProto(stored.Value, rules, today);
        proto.Etag = stored.Etag;
        return proto;
    }

    public static V1.Enterprise ToProto(D.Enterprise e, D.TierRules rules, DateOnly today)
    {
        var proto = new V1.Enterprise
        {
            Name = e.Name,
            Uscc = e.Uscc,
            DisplayName = e.DisplayName,
            Industry = e.Industry,
            RegistrationDate = ToProto(e.RegistrationDate),
            Address = e.Address ?? "",
            Building = e.Building ?? "",
            Status = (V1.EnterpriseStatus)(int)e.Status,
            Tier = ToProto(e.Tier),
            TierAsOf = ToProto(e.TierAsOf),
            Demo = e.Demo,
            CreateTime = ToProto(e.CreateTime),
            UpdateTime = ToProto(e.UpdateTime),
        };
        proto.Certifications.AddRange(e.Certifications.Select(c => ToProto(e, c, rules, today)));
        proto.Locations.AddRange(e.Locations.Select(l => new V1.LocationChange
        {
            FromUnit = l.FromUnit,
            ToUnit = l.ToUnit,
            Date = ToProto(l.Date),
            Reason = l.Reason ?? "",
            Time = ToProto(l.Time),
        }));
        return proto;
    }

    public static V1.Certification ToProto(D.Enterprise e, D.Certification c, D.TierRules rules, DateOnly today) => new()
    {
        Name = D.ResourceNames.Certification(e.Unit, e.Uscc, c.Id),
        Tier = ToProto(c.Tier),
        Authority = c.Authority,
        AuthorityLevel = (V1.AuthorityLevel)(int)c.AuthorityLevel,
        Batch = c.Batch ?? "",
        ValidFrom = ToProto(c.ValidFrom),
        ValidTo = ToProto(c.ValidTo),
        Renewal = c.Renewal,
        Renews = c.Renews is null ? "" : D.ResourceNames.Certification(e.Unit, e.Uscc, c.Renews),
        RenewedBy = c.RenewedBy is null ? "" : D.ResourceNames.Certification(e.Unit, e.Uscc, c.RenewedBy),
        State = (V1.CertificationState)(int)c.StateOn(today, rules),
        DisqualifiedOn = ToProto(c.DisqualifiedOn),
        DisqualificationReason = c.DisqualificationReason ?? "",
        TaxClawback = c.TaxClawback,
        AnnualOutputFen = c.AnnualOutputFen ?? 0,
        CreateTime = ToProto(c.CreateTime),
        EnterpriseDisplayName = e.DisplayName,
        LapsesOn = ToProto(c.LapsesOn(rules)),
    };

    public static D.EnterpriseDraft ToDraft(V1.Enterprise? e) => e is null
        ? new D.EnterpriseDraft(null, null, null, null, null, null)
        : new D.EnterpriseDraft(e.Uscc, e.DisplayName, e.Industry, ToDate(e.RegistrationDate, "enterprise.registration_date"), e.Address, e.Building);

    public static D.EnterprisePatch ToPatch(V1.Enterprise e) =>
        new(e.DisplayName, e.Industry, ToDate(e.RegistrationDate, "enterprise.registration_date"), e.Address, e.Building, (D.EnterpriseStatus)(int)e.Status);

    public static V1.InnovationPointsEvaluation ToProto(Stored<D.InnovationPointsEvaluation> stored)
    {
        var proto = ToProto(stored.Value);
        proto.Etag = stored.Etag;
        return proto;
    }

    public static V1.InnovationPointsEvaluation ToProto(D.InnovationPointsEvaluation e)
    {
        var proto = new V1.InnovationPointsEvaluation
        {
            Name = e.Name,
            Uscc = e.Uscc,
            EnterpriseDisplayName = e.DisplayName,
            Year = e.Year,
            ModelVersion = e.ModelVersion,
            ModelIllustrative = e.ModelIllustrative,
            TotalCentipoints = e.Score.TotalCentipoints,
            Revision = e.Revision,
            Demo = e.Demo,
            EvaluateTime = ToProto(e.EvaluateTime),
        };
        foreach (var (input, value) in e.Inputs) proto.Inputs[input] = value;
        proto.Dimensions.AddRange(e.Score.Dimensions.Select(d =>
        {
            var dimension = new V1.DimensionScore { Dimension = d.Dimension, Deducts = d.Deducts, Centipoints = d.Centipoints, Capped = d.Capped };
            dimension.Contributions.AddRange(d.Contributions.Select(c => new V1.InputContribution { Input = c.Input, Value = c.Value, Centipoints = c.Centipoints, Capped = c.Capped }));
            return dimension;
        }));
        return proto;
    }

    public static V1.InnovationPointsModel ToProto(D.InnovationPointsModel m, bool current)
    {
        var proto = new V1.InnovationPointsModel { Name = $"innovationPointsModels/{m.Version}", Version = m.Version, Illustrative = m.Illustrative, Note = m.Note, Current = current };
        proto.Src.AddRange(m.Src);
        proto.Dimensions.AddRange(m.Dimensions.Select(d =>
        {
            var dimension = new V1.ModelDimension { Id = d.Id, NameZh = d.NameZh, NameEn = d.NameEn, Deducts = d.Deducts, CapCentipoints = d.CapCentipoints };
            dimension.Inputs.AddRange(d.Inputs.Select(i => new V1.ModelInput
            {
                Id = i.Id,
                NameZh = i.NameZh,
                NameEn = i.NameEn,
                Unit = i.Unit,
                CentipointsNumerator = i.CentipointsNumerator,
                CentipointsDenominator = i.CentipointsDenominator,
                CapCentipoints = i.CapCentipoints,
            }));
            return dimension;
        }));
        return proto;
    }

    public static V1.InnovationRankingEntry ToProto(RankingEntry entry) => new()
    {
        Rank = entry.Rank,
        Evaluation = entry.Evaluation.Name,
        Uscc = entry.Evaluation.Uscc,
        EnterpriseDisplayName = entry.Evaluation.DisplayName,
        Unit = entry.Evaluation.Unit.ResourceName,
        TotalCentipoints = entry.Evaluation.Score.TotalCentipoints,
        ModelVersion = entry.Evaluation.ModelVersion,
        Demo = entry.Evaluation.Demo,
    };

    public static V1.InvestmentProject ToProto(Stored<D.InvestmentProject> stored)
    {
        var p = stored.Value;
        var proto = new V1.InvestmentProject
        {
            Name = p.Name,
            DisplayName = p.DisplayName,
            Investor = p.Investor ?? "",
            Kind = (V1.ProjectKind)(int)p.Kind,
            Industry = p.Industry,
            AmountFen = p.AmountFen,
            Major = p.Major,
            Fortune500 = p.Fortune500,
            IndustryLeader = p.IndustryLeader,
            Stage = (V1.ProjectStage)(int)p.Stage,
            StageDate = ToProto(p.StageDate),
            ReferredFrom = p.ReferredFrom ?? "",
            Referral = p.Referral ?? "",
            ResearchProject = p.ResearchProject ?? "",
            Demo = p.Demo,
            CreateTime = ToProto(p.CreateTime),
            UpdateTime = ToProto(p.UpdateTime),
            Etag = stored.Etag,
        };
        proto.History.AddRange(p.History.Select(h => new V1.StageChange
        {
            FromStage = (V1.ProjectStage)(int)h.From,
            ToStage = (V1.ProjectStage)(int)h.To,
            Date = ToProto(h.Date),
            Reason = h.Reason ?? "",
            Time = ToProto(h.Time),
        }));
        return proto;
    }

    public static D.ProjectDraft ToDraft(V1.InvestmentProject? p) => p is null
        ? new D.ProjectDraft(null, null, D.ProjectKind.Unspecified, null, 0, false, false)
        : new D.ProjectDraft(p.DisplayName, p.Investor, (D.ProjectKind)(int)p.Kind, p.Industry, p.AmountFen, p.Fortune500, p.IndustryLeader);

    public static V1.Referral ToProto(Stored<D.Referral> stored)
    {
        var r = stored.Value;
        return new V1.Referral
        {
            Name = r.Name,
            FromUnit = r.FromUnit,
            DisplayName = r.DisplayName,
            Investor = r.Investor ?? "",
            Kind = (V1.ProjectKind)(int)r.Kind,
            Industry = r.Industry ?? "",
            AmountFen = r.AmountFen,
            Fortune500 = r.Fortune500,
            IndustryLeader = r.IndustryLeader,
            ResearchProject = r.ResearchProject ?? "",
            State = (V1.ReferralState)(int)r.State,
            Reason = r.Reason ?? "",
            Project = r.Project ?? "",
            ResolveTime = r.ResolveTime is { } t ? ToProto(t) : null,
            Demo = r.Demo,
            CreateTime = ToProto(r.CreateTime),
            Etag = stored.Etag,
        };
    }

    public static D.ReferralDraft ToDraft(V1.Referral? r) => r is null
        ? new D.ReferralDraft(null, null, null, D.ProjectKind.Unspecified, null, 0, false, false, null)
        : new D.ReferralDraft(r.FromUnit, r.DisplayName, r.Investor, (D.ProjectKind)(int)r.Kind, r.Industry, r.AmountFen, r.Fortune500, r.IndustryLeader, r.ResearchProject);

    public static V1.IndicatorDefinition ToProto(UnitRef unit, D.IndicatorDefinition d)
    {
        var proto = new V1.IndicatorDefinition
        {
            Name = D.ResourceNames.Indicator(unit, d.Id),
            Id = d.Id,
            NameZh = d.NameZh,
            NameEn = d.NameEn,
            UnitOfMeasure = d.Unit,
            Integer = d.Integer,
            AnnualOnly = d.AnnualOnly,
            Scope = d.Scope ?? "",
        };
        proto.Src.AddRange(d.Src);
        return proto;
    }

    public static V1.Observation ToProto(Stored<D.Observation> stored)
    {
        var o = stored.Value;
        var proto = new V1.Observation
        {
            Name = o.Name,
            Indicator = o.Indicator,
            Period = o.Period,
            Kind = (V1.ObservationKind)(int)o.Kind,
            Breakdown = o.Breakdown ?? "",
            UnitOfMeasure = o.UnitOfMeasure,
            Qualifier = (V1.Qualifier)(int)o.Qualifier,
            Note = o.Note ?? "",
            Src = o.Src ?? "",
            Scope = o.Scope ?? "",
            Revision = o.Revision,
            Demo = o.Demo,
            ReportTime = ToProto(o.ReportTime),
            Etag = stored.Etag,
        };
        if (o.AmountFen is { } fen) proto.AmountFen = fen;
        else if (o.Quantity is { } q) proto.Quantity = q;
        return proto;
    }

    public static D.ObservationDraft ToDraft(V1.Observation? o) => o is null
        ? new D.ObservationDraft(null, null, D.ObservationKind.Unspecified, null, null, null, null, D.Qualifier.Unspecified, null)
        : new D.ObservationDraft(
            o.Indicator, o.Period, (D.ObservationKind)(int)o.Kind, string.IsNullOrEmpty(o.Breakdown) ? null : o.Breakdown,
            o.ValueCase == V1.Observation.ValueOneofCase.AmountFen ? o.AmountFen : null,
            o.ValueCase == V1.Observation.ValueOneofCase.Quantity ? o.Quantity : null,
            o.UnitOfMeasure, (D.Qualifier)(int)o.Qualifier, o.Note);

    /// <summary>The paths of an update mask; a missing mask is empty (the domain then says it is required).</summary>
    public static IReadOnlyCollection<string> Paths(FieldMask? mask) => mask is null ? [] : [.. mask.Paths];

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
