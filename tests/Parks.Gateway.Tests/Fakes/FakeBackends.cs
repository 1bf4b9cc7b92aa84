using System.Collections.Concurrent;
using Parks.Domain;
using Parks.GatewayTest.V1;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Gateway.Tests.Fakes;

/// <summary>One call a fake backend served: what, for which resource, for whom (verified identity), with which deadline.</summary>
public sealed record ServedCall(string Method, string Resource, Caller Caller, DateTime Deadline, IReadOnlyDictionary<string, string> Headers);

/// <summary>What a fake backend saw; shared by its instances across restarts.</summary>
public sealed class CallLog
{
    private readonly ConcurrentQueue<ServedCall> _calls = new();

    public IReadOnlyCollection<ServedCall> Calls => _calls;

    public int Cancelled;

    public void Add(ServedCall call) => _calls.Enqueue(call);

    public ServedCall? Last(string method, string resource) => _calls.LastOrDefault(c => c.Method == method && c.Resource == resource);
}

/// <summary>
/// A unit backend (district instance, branch parks, Science City) implementing the test WidgetService. It verifies
/// the caller identity the gateway signed, as the real services do, and says who served each call.
/// </summary>
internal sealed class WidgetBackend(string servedBy, CallLog log) : WidgetService.WidgetServiceBase
{
    public override async Task<Widget> GetWidget(GetWidgetRequest request, ServerCallContext context)
    {
        var caller = Record(context, "GetWidget", request.Name);
        if (request.DelayMs > 0)
        {
            try { await Task.Delay(request.DelayMs, context.CancellationToken); }
            catch (OperationCanceledException) { Interlocked.Increment(ref log.Cancelled); throw; }
        }
        if (request.FailWith != 0) throw new RpcException(new Status((StatusCode)request.FailWith, "failing as asked"));
        if (request.Name.EndsWith("/missing", StringComparison.Ordinal)) throw new NotFoundException("Widget", request.Name);
        return Answer(request.Name, caller);
    }

    public override Task<ListWidgetsResponse> ListWidgets(ListWidgetsRequest request, ServerCallContext context)
    {
        var caller = Record(context, "ListWidgets", request.Parent);
        var response = new ListWidgetsResponse { TotalSize = 9_007_199_254_740_993, NextPageToken = $"size={request.PageSize};kind={request.Kind};hidden={request.IncludeHidden}" };
        foreach (var id in new[] { "a", "b" })
        {
            var widget = Answer($"{request.Parent}/widgets/{id}", caller);
            widget.Tags.AddRange(request.Tags);
            response.Widgets.Add(widget);
        }
        return Task.FromResult(response);
    }

    public override Task<Widget> CreateWidget(CreateWidgetRequest request, ServerCallContext context)
    {
        var caller = Record(context, "CreateWidget", request.Parent);
        if (string.IsNullOrEmpty(request.Widget?.DisplayName)) throw new ValidationException("widget.display_name", "is required");
        var widget = Answer($"{request.Parent}/widgets/{request.WidgetId}", caller);
        widget.DisplayName = request.Widget.DisplayName;
        return Task.FromResult(widget);
    }

    public override Task<Widget> UpdateWidget(UpdateWidgetRequest request, ServerCallContext context) =>
        Task.FromResult(Answer(request.Widget?.Name ?? string.Empty, Record(context, "UpdateWidget", request.Widget?.Name ?? string.Empty)));

    public override Task<DeleteWidgetResponse> DeleteWidget(DeleteWidgetRequest request, ServerCallContext context)
    {
        Record(context, "DeleteWidget", request.Name);
        return Task.FromResult(new DeleteWidgetResponse());
    }

    public override async Task WatchWidgets(WatchWidgetsRequest request, IServerStreamWriter<Widget> responseStream, ServerCallContext context)
    {
        var caller = Record(context, "WatchWidgets", request.Parent);
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(Answer($"{request.Parent}/widgets/w{i}", caller));
        }
    }

    public override async Task<ImportWidgetsResponse> ImportWidgets(IAsyncStreamReader<CreateWidgetRequest> requestStream, ServerCallContext context)
    {
        var response = new ImportWidgetsResponse();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            Record(context, "ImportWidgets", request.Parent);
            response.Names.Add($"{request.Parent}/widgets/{request.WidgetId}");
            response.Imported++;
        }
        return response;
    }

    public override Task<ResetWidgetsResponse> ResetWidgets(ResetWidgetsRequest request, ServerCallContext context)
    {
        Record(context, "ResetWidgets", request.Parent);
        return Task.FromResult(new ResetWidgetsResponse { ServedBy = servedBy });
    }

    public override Task<Widget> ReferWidget(ReferWidgetRequest request, ServerCallContext context) =>
        Task.FromResult(Answer($"{request.Parent}/widgets/referred", Record(context, "ReferWidget", request.FromUnit)));

    public override Task<ResetWidgetsResponse> InternalSweep(ResetWidgetsRequest request, ServerCallContext context) =>
        Task.FromResult(new ResetWidgetsResponse { ServedBy = servedBy });

    private Caller Record(ServerCallContext context, string method, string resource)
    {
        var caller = context.GetCaller();
        var headers = context.RequestHeaders.Where(h => !h.IsBinary).GroupBy(h => h.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        log.Add(new ServedCall(method, resource, caller, context.Deadline, headers));
        return caller;
    }

    private Widget Answer(string name, Caller caller) => new()
    {
        Name = name,
        DisplayName = "widget",
        AmountFen = 1_234_567_890_123,
        Kind = WidgetKind.Large,
        ServedBy = servedBy,
        Caller = caller.Id,
        CallerUnit = caller.Unit?.ResourceName ?? string.Empty,
        Rating = 0,
    };
}

/// <summary>
/// A shared service acting for enterprises (like talent and finance): it knows which unit each enterprise is in and
/// refuses a unit system acting for another unit's enterprise, from the identity the gateway forwarded.
/// </summary>
internal sealed class LedgerBackend(CallLog log) : LedgerService.LedgerServiceBase
{
    /// <summary>One enterprise per unit: credit codes the tests use to act for an enterprise of a given unit.</summary>
    public static readonly IReadOnlyDictionary<UnitRef, string> EnterpriseOf = BuildEnterprises();

    public override Task<Entry> GetEntry(GetEntryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        log.Add(new ServedCall("GetEntry", request.Name, caller, context.Deadline, new Dictionary<string, string>()));
        return Task.FromResult(new Entry { Name = request.Name, ServedBy = "ledger", Caller = caller.Id });
    }

    public override Task<Entry> CreateEntry(CreateEntryRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var uscc = request.Entry?.Uscc ?? string.Empty;
        var owner = EnterpriseOf.FirstOrDefault(e => e.Value == uscc).Key;
        if (owner == default) throw new NotFoundException("Enterprise", "enterprises/" + uscc);
        caller.DemandWrite(owner, "act for enterprise " + uscc);
        log.Add(new ServedCall("CreateEntry", uscc, caller, context.Deadline, new Dictionary<string, string>()));
        return Task.FromResult(new Entry { Name = "entries/" + Guid.NewGuid().ToString("N"), Uscc = uscc, AmountFen = request.Entry!.AmountFen, ServedBy = "ledger", Caller = caller.Id });
    }

    private static Dictionary<UnitRef, string> BuildEnterprises()
    {
        var units = new List<UnitRef> { UnitRef.ScienceCity };
        units.AddRange(Parks.Domain.Zone.Districts.Select(d => UnitRef.District(d.Id)));
        units.AddRange(Parks.Domain.Zone.SeedBranchParkIds.Select(UnitRef.Park));
        return units.Select((u, i) => (u, i)).ToDictionary(x => x.u, x => $"91210200MA{x.i:D7}X");
    }
}

/// <summary>A service that holds one unit's data (like the Science City's): it records who created what.</summary>
internal sealed class LabBackend(CallLog log) : LabService.LabServiceBase
{
    public override Task<Lab> GetLab(GetLabRequest request, ServerCallContext context) =>
        Task.FromResult(new Lab { Name = request.Name, Caller = context.GetCaller().Id });

    public override Task<Lab> CreateLab(CreateLabRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        caller.DemandWrite(UnitRef.ScienceCity, "create labs");
        log.Add(new ServedCall("CreateLab", "scienceCity", caller, context.Deadline, new Dictionary<string, string>()));
        return Task.FromResult(new Lab { Name = "scienceCity/labs/" + request.LabId, Caller = caller.Id });
    }
}
