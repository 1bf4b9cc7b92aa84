using Parks.Domain;
using Parks.Rpc.Mapping;
using Parks.Storage;
using Parks.Talent.Domain;
using Parks.Talent.Storage;
using V1 = Parks.Talent.V1;

namespace Parks.Talent.Rpc;

internal static class TalentMapping
{
    public static V1.Talent ToProto(this Versioned<TalentRecord> v, UnitRef? employerUnit) => new()
    {
        Name = v.Value.Name,
        DisplayName = v.Value.DisplayName,
        EmployerUscc = v.Value.EmployerUscc,
        EmployerUnit = employerUnit?.ResourceName ?? "",
        Field = v.Value.Field,
        OverseasReturnee = v.Value.OverseasReturnee,
        Degree = v.Value.Degree is { } d ? (V1.Degree)d : V1.Degree.Unspecified,
        CreateTime = v.Value.CreateTime.ToProto(),
        UpdateTime = v.Value.UpdateTime.ToProto(),
        Etag = v.Etag,
    };

    public static V1.Certification ToProto(this Versioned<Certification> v) => new()
    {
        Name = v.Value.Name,
        Level = (V1.TalentLevel)v.Value.Level,
        Programme = $"programmes/{v.Value.Programme}",
        EmployerUscc = v.Value.EmployerUscc,
        Status = (V1.CertificationStatus)v.Value.Status,
        Evidence = v.Value.Evidence,
        Reviewer = v.Value.Reviewer ?? "",
        RejectionReason = v.Value.RejectionReason ?? "",
        ValidFrom = v.Value.ValidFrom.ToProto(),
        ValidTo = v.Value.ValidTo.ToProto(),
        CreateTime = v.Value.CreateTime.ToProto(),
        UpdateTime = v.Value.UpdateTime.ToProto(),
        Etag = v.Etag,
    };

    public static V1.ServiceRequest ToProto(this Versioned<ServiceRequest> v, DateTimeOffset now)
    {
        var r = v.Value;
        var message = new V1.ServiceRequest
        {
            Name = r.Name,
            Talent = TalentRecord.NameOf(r.TalentId),
            ServiceType = $"serviceTypes/{r.Type}",
            Description = r.Description,
            Status = (V1.ServiceRequestStatus)r.Status,
            SubmitTime = r.SubmitTime.ToProto(),
            DueTime = r.DueTime.ToProto(),
            RejectionReason = r.RejectionReason ?? "",
            OverdueTime = r.OverdueTime.ToProto(),
            Late = r.IsLate(now),
            Satisfaction = r.Satisfaction is { } s ? new V1.Satisfaction { Score = s.Score, Comment = s.Comment ?? "", Time = s.Time.ToProto() } : null,
            UpdateTime = r.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.History.AddRange(r.History.Select(h => new V1.StatusChange { Status = (V1.ServiceRequestStatus)h.Status, Time = h.Time.ToProto(), Actor = h.Actor, Note = h.Note ?? "" }));
        return message;
    }

    public static V1.RoadshowEdition ToProto(this Versioned<RoadshowEdition> v, EditionCounts counts)
    {
        var message = new V1.RoadshowEdition
        {
            Name = v.Value.Name,
            Year = v.Value.Year,
            DisplayName = v.Value.DisplayName,
            Source = v.Value.Source ?? "",
            RegisteredProjects = counts.Registered,
            ShortlistedProjects = counts.Shortlisted,
            LandedProjects = counts.Landed,
            Etag = v.Etag,
        };
        foreach (var (k, figure) in v.Value.ReportedFigures) message.ReportedFigures[k] = figure;
        return message;
    }

    public static V1.RoadshowProject ToProto(this Versioned<RoadshowProject> v)
    {
        var p = v.Value;
        var message = new V1.RoadshowProject
        {
            Name = p.Name,
            Title = p.Title,
            TeamLead = p.TeamLead,
            Country = p.Country,
            Industry = p.Industry,
            Summary = p.Summary ?? "",
            Status = (V1.RoadshowProjectStatus)p.Status,
            ShortlistAverageCentiscore = p.ShortlistAverageCentiscore ?? 0,
            LandedUscc = p.LandedUscc ?? "",
            LandedUnit = p.LandedUnit?.ResourceName ?? "",
            LandedDate = p.LandedDate.ToProto(),
            CreateTime = p.CreateTime.ToProto(),
            UpdateTime = p.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.Reviews.AddRange(p.Reviews.Select(r => new V1.ProjectReview { Reviewer = r.Reviewer, Score = r.Score, Comment = r.Comment ?? "", Time = r.Time.ToProto() }));
        return message;
    }

    /// <summary>"programmes/{id}" or a bare id.</summary>
    public static string ProgrammeId(string name) => name.StartsWith("programmes/", StringComparison.Ordinal) ? name["programmes/".Length..] : name;

    /// <summary>"serviceTypes/{id}" or a bare id.</summary>
    public static string ServiceTypeId(string name) => name.StartsWith("serviceTypes/", StringComparison.Ordinal) ? name["serviceTypes/".Length..] : name;
}
