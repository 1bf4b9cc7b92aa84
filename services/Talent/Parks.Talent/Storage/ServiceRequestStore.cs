using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Storage;
using Parks.Talent.Data;
using Parks.Talent.Domain;

namespace Parks.Talent.Storage;

/// <summary>
/// Talent service requests: the workflow, the open-by-due index that overdue detection scans (a request leaves it
/// when it closes or is flagged), and the overdue event committed with the flag (so it is published once).
/// </summary>
internal sealed class ServiceRequestStore(IStateStore store, TalentStore talents, EnterpriseDirectory directory, TalentSeed seed, IEventOutbox events, TimeProvider time)
{
    public async Task<Versioned<ServiceRequest>> GetAsync(Caller caller, string name, CancellationToken ct)
    {
        var request = await ReadAsync(name, ct);
        await talents.GetAsync(caller, TalentRecord.NameOf(request.Value.TalentId), ct);
        return request;
    }

    /// <summary>Zone callers list every request or one talent's; a district lists one of its talents' requests.</summary>
    public async Task<Page<Versioned<ServiceRequest>>> ListAsync(Caller caller, string? talent, int pageSize, string? pageToken, CancellationToken ct)
    {
        if (talent is null && !caller.IsZone) throw new PermissionDeniedException($"{caller} lists service requests by talent: set talent");
        string index = TalentKeys.Requests;
        if (talent is not null)
        {
            var t = await talents.GetAsync(caller, talent, ct);
            index = TalentKeys.RequestsOf(t.Value.Id);
        }
        return await store.ListAsync<ServiceRequest>(index, TalentKeys.Request, pageSize, pageToken, $"service-requests|{talent}", ct);
    }

    public async Task<Versioned<ServiceRequest>> CreateAsync(Caller caller, string? id, string talentName, string type, string description, string actor,
        string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, TalentKeys.Service, "CreateServiceRequest", requestId, ct) is { } existing) return await GetAsync(caller, existing, ct);

        var talent = await talents.GetAsync(caller, talentName, ct);
        var serviceType = seed.GetServiceType(type);
        var mine = await store.ReadAllAsync<ServiceRequest>(TalentKeys.RequestsOf(talent.Value.Id), TalentKeys.Request, ct);
        var request = ServiceRequest.Submit(string.IsNullOrEmpty(id) ? Ids.New('s') : id, talent.Value, serviceType, description, actor,
            mine.Select(r => r.Value), time.GetUtcNow());
        var key = TalentKeys.Request(request.Id);
        // One open request per talent and type: the marker serialises concurrent submissions of the same type.
        var openKey = StateKeys.For(TalentKeys.Service, "zone", "service-request-open", $"{talent.Value.Id}:{type}");
        var open = await store.GetAsync(openKey, ct);
        var tx = new StateTransaction().PutJson(key, request, 0)
            .PutJson(openKey, request.Name, open?.Version ?? 0)
            .AddToIndex(TalentKeys.Requests, request.Id)
            .AddToIndex(TalentKeys.RequestsOf(talent.Value.Id), request.Id)
            .AddToIndex(TalentKeys.OpenByDue, TalentKeys.DueMember(request.DueTime, request.Id))
            .AddToIndex(TalentKeys.Open, TalentKeys.DueMember(request.DueTime, request.Id));
        RequestIds.Remember(tx, TalentKeys.Service, "CreateServiceRequest", requestId, request.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<ServiceRequest>(request, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key || ex.ResourceName == openKey)
        {
            throw new AlreadyExistsException("ServiceRequest", request.Name,
                ex.ResourceName == key ? $"service request '{request.Id}' already exists" : $"another {serviceType.NameZh} request for talent '{talent.Value.Id}' was submitted at the same time");
        }
    }

    public Task<Versioned<ServiceRequest>> AcceptAsync(Caller caller, string name, string actor, string? note, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, r => r.Accept(actor, note, time.GetUtcNow()), ct);

    public Task<Versioned<ServiceRequest>> StartAsync(Caller caller, string name, string actor, string? note, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, r => r.Start(actor, note, time.GetUtcNow()), ct);

    public Task<Versioned<ServiceRequest>> FulfilAsync(Caller caller, string name, string actor, string? note, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, r => r.Fulfil(actor, note, time.GetUtcNow()), ct);

    public Task<Versioned<ServiceRequest>> RejectAsync(Caller caller, string name, string actor, string reason, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, r => r.Reject(actor, reason, time.GetUtcNow()), ct);

    public Task<Versioned<ServiceRequest>> RateAsync(Caller caller, string name, int score, string? comment, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, r => r.Rate(score, comment, time.GetUtcNow()), ct);

    /// <summary>
    /// Open requests zone-wide and how many are past due now, from the open index alone (ordered by due time, so
    /// only the overdue members are read): the figure does not wait for the periodic scan to flag them.
    /// </summary>
    public async Task<(long Open, long Overdue)> StatisticsAsync(CancellationToken ct)
    {
        var open = store.CountIndexAsync(TalentKeys.Open, ct);
        var now = time.GetUtcNow();
        var cutoff = now.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        long overdue = 0;
        string? after = null;
        while (true)
        {
            var members = await store.ScanIndexAsync(TalentKeys.Open, after, 500, ct);
            var past = members.TakeWhile(m => string.CompareOrdinal(m, 0, cutoff, 0, 19) < 0).Count();
            overdue += past;
            if (past < members.Count || members.Count < 500) break;
            after = members[^1];
        }
        return (await open, overdue);
    }

    /// <summary>
    /// Flags every open request past its due time (oldest due first, at most <paramref name="max"/>) and commits
    /// TalentServiceRequestOverdue with each flag. Returns how many were flagged.
    /// </summary>
    public async Task<int> DetectOverdueAsync(int max, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var flagged = 0;
        string? after = null;
        while (flagged < max)
        {
            var members = await store.ScanIndexAsync(TalentKeys.OpenByDue, after, 100, ct);
            if (members.Count == 0) return flagged;
            foreach (var member in members)
            {
                after = member;
                var bar = member.IndexOf('|');
                if (new DateTimeOffset(long.Parse(member[..bar], System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero) >= now) return flagged;
                if (await FlagAsync(member[(bar + 1)..], now, ct)) flagged++;
                if (flagged >= max) return flagged;
            }
        }
        return flagged;
    }

    private async Task<bool> FlagAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        var current = await store.ReadAsync<ServiceRequest>(TalentKeys.Request(id), ct);
        if (current is null) return false;
        var talent = await store.ReadAsync<TalentRecord>(TalentKeys.Talent(current.Value.TalentId), ct);
        var location = talent is null ? null : await directory.FindAsync(talent.Value.EmployerUscc, ct);
        var (flagged, evt) = current.Value.DetectOverdue(location?.Unit, now);
        // Flagged or closed, the request leaves the scan index either way.
        var tx = new StateTransaction().RemoveFromIndex(TalentKeys.OpenByDue, TalentKeys.DueMember(current.Value.DueTime, id));
        if (evt is null)
        {
            await store.CommitAsync(tx, ct);
            return false;
        }
        tx.PutJson(TalentKeys.Request(id), flagged, current.Version);
        events.Add(tx, new TalentServiceRequestOverdue
        {
            Request = evt.Request,
            RequestType = evt.RequestType,
            EmployerUnit = evt.EmployerUnit?.ResourceName ?? "",
            DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(evt.DueTime),
        }, flagged.Name);
        try
        {
            await store.CommitAsync(tx, ct);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false; // changed meanwhile (fulfilled, or flagged by another instance): the next scan looks again
        }
    }

    private async Task<Versioned<ServiceRequest>> ChangeAsync(Caller caller, string name, string? etag, Func<ServiceRequest, ServiceRequest> change, CancellationToken ct)
    {
        var current = await GetAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = change(current.Value);
        var key = TalentKeys.Request(next.Id);
        var tx = new StateTransaction().PutJson(key, next, expected);
        if (current.Value.IsOpen && !next.IsOpen)
        {
            tx.RemoveFromIndex(TalentKeys.OpenByDue, TalentKeys.DueMember(next.DueTime, next.Id))
                .RemoveFromIndex(TalentKeys.Open, TalentKeys.DueMember(next.DueTime, next.Id));
        }
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<ServiceRequest>(next, result.Versions[key]);
    }

    private Task<Versioned<ServiceRequest>> ReadAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<ServiceRequest>(TalentKeys.Request(ResourceNames.Id(name, ServiceRequest.Collection, "name")), "ServiceRequest", name, ct);
}
