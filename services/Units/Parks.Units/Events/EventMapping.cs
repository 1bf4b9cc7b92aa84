using Google.Protobuf;
using Parks.Domain;
using Parks.Units.Domain;
using Parks.Units.Rpc;
using E = Parks.Events.V1;
using V1 = Parks.Units.V1;

namespace Parks.Units.Events;

/// <summary>The integration events (parks.events.v1) of this area's domain events, and back for the ones it consumes.</summary>
public static class EventMapping
{
    /// <summary>The message to publish and the resource it is about (the CloudEvent subject).</summary>
    public static (IMessage Message, string Subject) ToMessage(UnitEvent unitEvent, TierRules rules) => unitEvent switch
    {
        EnterpriseRegisteredEvent e => (new E.EnterpriseRegistered
        {
            Uscc = e.Enterprise.Uscc,
            Enterprise = e.Enterprise.Name,
            Unit = e.Enterprise.Unit.ResourceName,
            DisplayName = e.Enterprise.DisplayName,
            Industry = e.Enterprise.Industry,
            RegistrationDate = ProtoMapping.ToProto(e.Enterprise.RegistrationDate),
        }, e.Enterprise.Name),
        EnterpriseRelocatedEvent e => (new E.EnterpriseRelocated
        {
            Uscc = e.Snapshot.Uscc,
            FromUnit = e.FromUnit,
            ToUnit = e.Snapshot.Unit.ResourceName,
            Enterprise = e.Snapshot.Name,
            DisplayName = e.Snapshot.DisplayName,
            Industry = e.Snapshot.Industry,
            Snapshot = ProtoMapping.ToProto(e.Snapshot, rules, e.Snapshot.TierAsOf).ToByteString(),
        }, e.Snapshot.Name),
        EnterpriseTierCertifiedEvent e => (new E.EnterpriseTierCertified
        {
            Uscc = e.Enterprise.Uscc,
            Unit = e.Enterprise.Unit.ResourceName,
            Certification = ResourceNames.Certification(e.Enterprise.Unit, e.Enterprise.Uscc, e.Certification.Id),
            Tier = ProtoMapping.ToProto(e.Certification.Tier),
            PreviousTier = ProtoMapping.ToProto(e.PreviousTier),
            Authority = e.Certification.Authority,
            Batch = e.Certification.Batch ?? "",
            ValidFrom = ProtoMapping.ToProto(e.Certification.ValidFrom),
            ValidTo = ProtoMapping.ToProto(e.Certification.ValidTo),
            Renewal = e.Certification.Renewal,
        }, e.Enterprise.Name),
        EnterpriseTierDisqualifiedEvent e => (new E.EnterpriseTierDisqualified
        {
            Uscc = e.Enterprise.Uscc,
            Unit = e.Enterprise.Unit.ResourceName,
            Certification = ResourceNames.Certification(e.Enterprise.Unit, e.Enterprise.Uscc, e.Certification.Id),
            Tier = ProtoMapping.ToProto(e.Certification.Tier),
            Reason = e.Certification.DisqualificationReason ?? "",
            TaxClawback = e.Certification.TaxClawback,
        }, e.Enterprise.Name),
        InnovationPointsEvaluatedEvent e => (new E.InnovationPointsEvaluated
        {
            Uscc = e.Evaluation.Uscc,
            Unit = e.Evaluation.Unit.ResourceName,
            Year = e.Evaluation.Year,
            TotalCentipoints = e.Evaluation.Score.TotalCentipoints,
            ModelVersion = e.Evaluation.ModelVersion,
        }, e.Evaluation.Name),
        InvestmentProjectStageChangedEvent e => (new E.InvestmentProjectStageChanged
        {
            Project = e.Project.Name,
            Unit = e.Project.Unit.ResourceName,
            Stage = ProjectStages.Slug(e.Project.Stage),
            PreviousStage = e.PreviousStage == ProjectStage.Unspecified ? "" : ProjectStages.Slug(e.PreviousStage),
            AmountFen = e.Project.AmountFen,
            Industry = e.Project.Industry,
            Fortune500 = e.Project.Fortune500,
            IndustryLeader = e.Project.IndustryLeader,
        }, e.Project.Name),
        ProjectReferredEvent e => (new E.ProjectReferred
        {
            Referral = e.Referral.Name,
            FromUnit = e.Referral.FromUnit,
            ToUnit = e.Referral.ToUnit.ResourceName,
            ProjectDisplayName = e.Referral.DisplayName,
            AmountFen = e.Referral.AmountFen,
            Industry = e.Referral.Industry ?? "",
            ResearchProject = e.Referral.ResearchProject ?? "",
        }, e.Referral.Name),
        ReferralResolvedEvent e => (new E.ReferralResolved
        {
            Referral = e.Referral.Name,
            FromUnit = e.Referral.FromUnit,
            ToUnit = e.Referral.ToUnit.ResourceName,
            Accepted = e.Referral.State == ReferralState.Accepted,
            Project = e.Referral.Project ?? "",
            Reason = e.Referral.Reason ?? "",
            ResearchProject = e.Referral.ResearchProject ?? "",
        }, e.Referral.Name),
        IndicatorReportedEvent e => (new E.IndicatorReported
        {
            Unit = e.Observation.Unit.ResourceName,
            Indicator = e.Observation.Indicator,
            Period = e.Observation.Period,
            Value = e.Observation.AmountFen ?? e.Observation.Quantity ?? 0,
            UnitOfMeasure = e.Observation.UnitOfMeasure,
            Kind = e.Observation.Kind == ObservationKind.Target ? "target" : "actual",
            Breakdown = e.Observation.Breakdown ?? "",
            Observation = e.Observation.Name,
        }, e.Observation.Name),
        _ => throw new ArgumentException($"no integration event for {unitEvent.GetType().Name}", nameof(unitEvent)),
    };

    /// <summary>The enterprise a relocation hands over, from the snapshot the source unit published.</summary>
    public static Enterprise SnapshotOf(E.EnterpriseRelocated relocated)
    {
        var proto = V1.Enterprise.Parser.ParseFrom(relocated.Snapshot);
        var (unit, uscc) = ResourceNames.ParseEnterprise(proto.Name, "snapshot.name");
        if (unit.ResourceName != relocated.ToUnit || uscc != relocated.Uscc)
            throw new ValidationException("snapshot", $"the snapshot names {proto.Name}, not {relocated.ToUnit}/enterprises/{relocated.Uscc}");
        return FromProto(proto);
    }

    /// <summary>A domain enterprise from its protobuf form (the inverse of <see cref="ProtoMapping.ToProto(Enterprise, TierRules, DateOnly)"/>).</summary>
    public static Enterprise FromProto(V1.Enterprise proto)
    {
        var (unit, uscc) = ResourceNames.ParseEnterprise(proto.Name, "snapshot.name");
        static string LastSegment(string name) => name[(name.LastIndexOf('/') + 1)..];
        return new Enterprise
        {
            Uscc = uscc,
            Unit = unit,
            DisplayName = proto.DisplayName,
            Industry = proto.Industry,
            RegistrationDate = ProtoMapping.ToDate(proto.RegistrationDate, "snapshot.registration_date") ?? default,
            Address = ProtoMapping.NullIfEmpty(proto.Address),
            Building = ProtoMapping.NullIfEmpty(proto.Building),
            Status = (EnterpriseStatus)(int)proto.Status,
            Demo = proto.Demo,
            Tier = ProtoMapping.ToDomain(proto.Tier),
            TierAsOf = ProtoMapping.ToDate(proto.TierAsOf, "snapshot.tier_as_of") ?? default,
            Certifications = [.. proto.Certifications.Select(c => new Certification
            {
                Id = LastSegment(c.Name),
                Tier = ProtoMapping.ToDomain(c.Tier),
                Authority = c.Authority,
                AuthorityLevel = (AuthorityLevel)(int)c.AuthorityLevel,
                Batch = ProtoMapping.NullIfEmpty(c.Batch),
                ValidFrom = ProtoMapping.ToDate(c.ValidFrom, "snapshot.certifications.valid_from") ?? default,
                ValidTo = ProtoMapping.ToDate(c.ValidTo, "snapshot.certifications.valid_to"),
                Renewal = c.Renewal,
                Renews = string.IsNullOrEmpty(c.Renews) ? null : LastSegment(c.Renews),
                RenewedBy = string.IsNullOrEmpty(c.RenewedBy) ? null : LastSegment(c.RenewedBy),
                Status = c.State == V1.CertificationState.Disqualified ? CertificationStatus.Disqualified : CertificationStatus.Active,
                DisqualifiedOn = ProtoMapping.ToDate(c.DisqualifiedOn, "snapshot.certifications.disqualified_on"),
                DisqualificationReason = ProtoMapping.NullIfEmpty(c.DisqualificationReason),
                TaxClawback = c.TaxClawback,
                AnnualOutputFen = c.AnnualOutputFen == 0 ? null : c.AnnualOutputFen,
                CreateTime = c.CreateTime?.ToDateTimeOffset().ToOffset(Application.ZoneClock.Offset) ?? default,
            })],
            Locations = [.. proto.Locations.Select(l => new LocationChange(l.FromUnit, l.ToUnit,
                ProtoMapping.ToDate(l.Date, "snapshot.locations.date") ?? default, ProtoMapping.NullIfEmpty(l.Reason),
                l.Time?.ToDateTimeOffset().ToOffset(Application.ZoneClock.Offset) ?? default))],
            CreateTime = proto.CreateTime?.ToDateTimeOffset().ToOffset(Application.ZoneClock.Offset) ?? default,
            UpdateTime = proto.UpdateTime?.ToDateTimeOffset().ToOffset(Application.ZoneClock.Offset) ?? default,
        };
    }
}
