using Google.Protobuf.WellKnownTypes;
using Parks.Domain;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.Talent.Data;
using Parks.Talent.Storage;
using V1 = Parks.Talent.V1;

namespace Parks.Talent.Rpc;

/// <summary>parks.talent.v1.ServiceRequestService: maps requests to <see cref="ServiceRequestStore"/>.</summary>
internal sealed class ServiceRequestService(ServiceRequestStore requests, TalentSeed seed, TimeProvider time) : V1.ServiceRequestService.ServiceRequestServiceBase
{
    public override Task<V1.ListServiceTypesResponse> ListServiceTypes(V1.ListServiceTypesRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.ListServiceTypesResponse();
        response.ServiceTypes.AddRange(seed.ServiceTypes.Select(t => new V1.ServiceType
        {
            Name = $"serviceTypes/{t.Id}",
            DisplayNameZh = t.NameZh,
            DisplayNameEn = t.NameEn,
            Sla = Duration.FromTimeSpan(t.Sla),
            SlaIllustrative = t.SlaIllustrative,
            Source = t.Source,
        }));
        return Task.FromResult(response);
    }

    public override async Task<V1.GetServiceRequestResponse> GetServiceRequest(V1.GetServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.GetAsync(context.Access(write: false), request.Name, context.CancellationToken)).ToProto(time.GetUtcNow()) };

    public override async Task<V1.ListServiceRequestsResponse> ListServiceRequests(V1.ListServiceRequestsRequest request, ServerCallContext context)
    {
        var page = await requests.ListAsync(context.Access(write: false), request.Talent.NullIfEmpty(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListServiceRequestsResponse { NextPageToken = page.NextPageToken };
        var now = time.GetUtcNow();
        response.ServiceRequests.AddRange(page.Items.Select(r => r.ToProto(now)));
        return response;
    }

    public override async Task<V1.GetServiceRequestStatisticsResponse> GetServiceRequestStatistics(V1.GetServiceRequestStatisticsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var (open, overdue) = await requests.StatisticsAsync(context.CancellationToken);
        return new() { OpenCount = open, OverdueCount = overdue };
    }

    public override async Task<V1.CreateServiceRequestResponse> CreateServiceRequest(V1.CreateServiceRequestRequest request, ServerCallContext context)
    {
        var r = request.ServiceRequest ?? throw new ValidationException("service_request", "is required");
        var created = await requests.CreateAsync(context.Access(write: true), request.ServiceRequestId.NullIfEmpty(), r.Talent,
            TalentMapping.ServiceTypeId(r.ServiceType), r.Description, request.Actor, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { ServiceRequest = created.ToProto(time.GetUtcNow()) };
    }

    public override async Task<V1.AcceptServiceRequestResponse> AcceptServiceRequest(V1.AcceptServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.AcceptAsync(context.Access(write: true), request.Name, request.Actor, request.Note.NullIfEmpty(), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(time.GetUtcNow()) };

    public override async Task<V1.StartServiceRequestResponse> StartServiceRequest(V1.StartServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.StartAsync(context.Access(write: true), request.Name, request.Actor, request.Note.NullIfEmpty(), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(time.GetUtcNow()) };

    public override async Task<V1.FulfillServiceRequestResponse> FulfillServiceRequest(V1.FulfillServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.FulfilAsync(context.Access(write: true), request.Name, request.Actor, request.Note.NullIfEmpty(), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(time.GetUtcNow()) };

    public override async Task<V1.RejectServiceRequestResponse> RejectServiceRequest(V1.RejectServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.RejectAsync(context.Access(write: true), request.Name, request.Actor, request.Reason, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(time.GetUtcNow()) };

    public override async Task<V1.RateServiceRequestResponse> RateServiceRequest(V1.RateServiceRequestRequest request, ServerCallContext context) =>
        new() { ServiceRequest = (await requests.RateAsync(context.Access(write: true), request.Name, request.Score, request.Comment.NullIfEmpty(), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(time.GetUtcNow()) };
}
