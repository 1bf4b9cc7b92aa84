using Parks.Domain;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.Storage;
using Parks.Talent.Data;
using Parks.Talent.Domain;
using Parks.Talent.Storage;
using V1 = Parks.Talent.V1;

namespace Parks.Talent.Rpc;

/// <summary>parks.talent.v1.TalentService: maps requests to <see cref="TalentStore"/>.</summary>
internal sealed class TalentService(TalentStore talents, EnterpriseDirectory directory, TalentSeed seed) : V1.TalentService.TalentServiceBase
{
    public override async Task<V1.GetTalentResponse> GetTalent(V1.GetTalentRequest request, ServerCallContext context) =>
        new() { Talent = await ToProtoAsync(await talents.GetAsync(context.Access(write: false), request.Name, context.CancellationToken), context.CancellationToken) };

    public override async Task<V1.ListTalentsResponse> ListTalents(V1.ListTalentsRequest request, ServerCallContext context)
    {
        var page = await talents.ListAsync(context.Access(write: false), request.EmployerUscc.NullIfEmpty(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListTalentsResponse { NextPageToken = page.NextPageToken };
        foreach (var t in page.Items) response.Talents.Add(await ToProtoAsync(t, context.CancellationToken));
        return response;
    }

    public override async Task<V1.CreateTalentResponse> CreateTalent(V1.CreateTalentRequest request, ServerCallContext context)
    {
        var t = request.Talent ?? throw new ValidationException("talent", "is required");
        var draft = new TalentDraft(t.DisplayName, t.EmployerUscc, t.Field, t.OverseasReturnee, ((int)t.Degree).ToDomain<Degree>());
        var created = await talents.CreateAsync(context.Access(write: true), request.TalentId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { Talent = await ToProtoAsync(created, context.CancellationToken) };
    }

    public override async Task<V1.UpdateTalentResponse> UpdateTalent(V1.UpdateTalentRequest request, ServerCallContext context)
    {
        var t = request.Talent ?? throw new ValidationException("talent", "is required");
        var paths = request.UpdateMask.Paths("display_name", "employer_uscc", "field", "degree");
        var updated = await talents.UpdateAsync(context.Access(write: true), t.Name,
            paths.Contains("display_name") ? t.DisplayName : null,
            paths.Contains("employer_uscc") ? t.EmployerUscc : null,
            paths.Contains("field") ? t.Field : null,
            paths.Contains("degree") ? ((int)t.Degree).Required<Degree>("talent.degree") : null,
            t.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { Talent = await ToProtoAsync(updated, context.CancellationToken) };
    }

    public override async Task<V1.GetCertificationResponse> GetCertification(V1.GetCertificationRequest request, ServerCallContext context) =>
        new() { Certification = (await talents.GetCertificationAsync(context.Access(write: false), request.Name, context.CancellationToken)).ToProto() };

    public override async Task<V1.ListCertificationsResponse> ListCertifications(V1.ListCertificationsRequest request, ServerCallContext context)
    {
        var page = await talents.ListCertificationsAsync(context.Access(write: false), request.Parent, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListCertificationsResponse { NextPageToken = page.NextPageToken };
        response.Certifications.AddRange(page.Items.Select(c => c.ToProto()));
        return response;
    }

    public override async Task<V1.CreateCertificationResponse> CreateCertification(V1.CreateCertificationRequest request, ServerCallContext context)
    {
        var c = request.Certification ?? throw new ValidationException("certification", "is required");
        var created = await talents.ApplyAsync(context.Access(write: true), request.Parent, request.CertificationId.NullIfEmpty(),
            (TalentLevel)(int)c.Level, TalentMapping.ProgrammeId(c.Programme), c.Evidence, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { Certification = created.ToProto() };
    }

    public override async Task<V1.StartCertificationReviewResponse> StartCertificationReview(V1.StartCertificationReviewRequest request, ServerCallContext context) =>
        new() { Certification = (await talents.StartReviewAsync(context.Access(write: true), request.Name, request.Reviewer, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.ApproveCertificationResponse> ApproveCertification(V1.ApproveCertificationRequest request, ServerCallContext context) =>
        new()
        {
            Certification = (await talents.CertifyAsync(context.Access(write: true), request.Name, request.ValidFrom.ToDate("valid_from"),
                request.ValidTo.ToDate("valid_to"), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(),
        };

    public override async Task<V1.RejectCertificationResponse> RejectCertification(V1.RejectCertificationRequest request, ServerCallContext context) =>
        new() { Certification = (await talents.RejectAsync(context.Access(write: true), request.Name, request.Reason, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override Task<V1.ListProgrammesResponse> ListProgrammes(V1.ListProgrammesRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.ListProgrammesResponse();
        response.Programmes.AddRange(seed.Programmes.Select(p => new V1.Programme { Name = $"programmes/{p.Id}", DisplayNameZh = p.NameZh, DisplayNameEn = p.NameEn, Source = p.Source }));
        return Task.FromResult(response);
    }

    public override async Task<V1.GetTalentStatisticsResponse> GetTalentStatistics(V1.GetTalentStatisticsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.GetTalentStatisticsResponse
        {
            BaselineYear = seed.Baseline.Year,
            BaselineSource = seed.Baseline.Source,
            TalentCount = await talents.CountAsync(context.CancellationToken),
        };
        foreach (var (level, baseline, inForce) in await talents.StatisticsAsync(context.CancellationToken))
        {
            response.Levels.Add(new V1.LevelCount
            {
                Level = (V1.TalentLevel)level,
                BaselineCount = baseline.Value,
                BaselineApproximatelyMore = baseline.ApproximatelyMore,
                CertifiedInForce = inForce,
            });
        }
        return response;
    }

    private async Task<V1.Talent> ToProtoAsync(Versioned<TalentRecord> talent, CancellationToken ct) =>
        talent.ToProto((await directory.FindAsync(talent.Value.EmployerUscc, ct))?.Unit);
}
