using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Parks.Domain;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Ops.V1;
using Parks.Rpc;

namespace Parks.Hosting.Operations;

/// <summary>
/// parks.ops.v1.EventAdminService: the operator's view of this process's event bus — a live tail, and its dead
/// letters (list, get, replay, discard) through <see cref="IDeadLetters"/>. Operators only. A process without
/// an event bus answers FAILED_PRECONDITION.
/// </summary>
internal sealed class EventAdminImpl(EventTap tap, IServiceProvider services) : Parks.Ops.V1.EventAdminService.EventAdminServiceBase
{
    private const string Prefix = "deadLetters/";
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public override async Task TailEvents(TailEventsRequest request, IServerStreamWriter<TailEventsResponse> responseStream, ServerCallContext context)
    {
        DemandOperator(context);
        _ = Bus();
        using var listener = tap.Listen(request);
        // A stopping process ends its tails (the follower sees the stream end) rather than holding its shutdown
        // until the drain timeout.
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        // Headers now, so the caller knows the tail is open before the first event arrives.
        await context.WriteResponseHeadersAsync([]);
        try
        {
            await foreach (var record in listener.Reader.ReadAllAsync(ended.Token))
                await responseStream.WriteAsync(new TailEventsResponse { Event = record });
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // the operator stopped following, or this process is stopping
        }
    }

    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        DemandOperator(context);
        if (request.PageSize is < 0 or > MaxPageSize) throw new ValidationException("page_size", $"must be between 0 and {MaxPageSize}");
        var letters = Bus();
        var page = await letters.ListAsync(request.PageSize == 0 ? DefaultPageSize : request.PageSize,
            string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken, context.CancellationToken);
        var response = new ListDeadLettersResponse
        {
            NextPageToken = page.NextCursor ?? "",
            TotalSize = await letters.CountAsync(context.CancellationToken),
        };
        response.DeadLetters.AddRange(page.Items.Select(ToProto));
        return response;
    }

    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context)
    {
        DemandOperator(context);
        var id = EventId(request.Name);
        var letter = await Bus().GetAsync(id, context.CancellationToken) ?? throw new NotFoundException("dead letter", request.Name);
        return new GetDeadLetterResponse { DeadLetter = ToProto(letter) };
    }

    public override async Task<ReplayDeadLetterResponse> ReplayDeadLetter(ReplayDeadLetterRequest request, ServerCallContext context)
    {
        DemandOperator(context);
        var id = EventId(request.Name);
        var letters = Bus();
        var status = await letters.ReplayAsync(id, context.CancellationToken);
        var response = new ReplayDeadLetterResponse
        {
            Outcome = status switch
            {
                DeliveryStatus.Success => DeliveryOutcome.Success,
                DeliveryStatus.Retry => DeliveryOutcome.Retry,
                _ => DeliveryOutcome.Drop,
            },
        };
        if (status != DeliveryStatus.Success && await letters.GetAsync(id, context.CancellationToken) is { } kept) response.DeadLetter = ToProto(kept);
        return response;
    }

    public override async Task<DiscardDeadLetterResponse> DiscardDeadLetter(DiscardDeadLetterRequest request, ServerCallContext context)
    {
        DemandOperator(context);
        await Bus().DiscardAsync(EventId(request.Name), context.CancellationToken);
        return new DiscardDeadLetterResponse();
    }

    private IDeadLetters Bus() => services.GetService<IDeadLetters>()
        ?? throw new FailedPreconditionException("EVENT_BUS", "events", "this process has no event bus");

    private static string EventId(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length == Prefix.Length)
            throw new ValidationException("name", $"must be \"{Prefix}{{event_id}}\"");
        return name[Prefix.Length..];
    }

    private static void DemandOperator(ServerCallContext context)
    {
        var caller = context.GetCaller();
        if (caller.Role != CallerRole.Operator)
            throw new PermissionDeniedException($"caller '{caller.Id}' is not an operator; the event bus's admin API is for operators");
    }

    private static Parks.Ops.V1.DeadLetter ToProto(Events.DeadLetter letter) => new()
    {
        Name = Prefix + letter.EventId,
        EventId = letter.EventId,
        Type = letter.Type,
        Source = letter.Source,
        Subject = letter.Subject ?? "",
        Time = Timestamp.FromDateTimeOffset(letter.Time),
        Topic = letter.Topic,
        Reason = letter.Reason,
        Attempts = letter.Attempts,
        DeadLetteredTime = Timestamp.FromDateTimeOffset(letter.DeadLetteredAt),
        CloudEvent = letter.CloudEvent,
    };
}

internal static class OperationsRegistration
{
    /// <summary>The event bus's operator API on every Parks process.</summary>
    public static IRpcServerBuilder AddParksOperations(this IRpcServerBuilder rpc)
    {
        rpc.Services.TryAddSingleton<EventTap>();
        return rpc.AddService(sp => Parks.Ops.V1.EventAdminService.BindService(ActivatorUtilities.CreateInstance<EventAdminImpl>(sp)));
    }
}
