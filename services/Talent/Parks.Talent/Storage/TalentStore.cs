using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Storage;
using Parks.Talent.Data;
using Parks.Talent.Domain;

namespace Parks.Talent.Storage;

/// <summary>
/// Talents and their certifications. Every call names its caller: a district system reaches only talents whose
/// employer is located in its unit (checked against the enterprise directory).
/// </summary>
internal sealed class TalentStore(IStateStore store, EnterpriseDirectory directory, TalentSeed seed, IEventOutbox events, TimeProvider time)
{
    public async Task<Versioned<TalentRecord>> GetAsync(Caller caller, string name, CancellationToken ct)
    {
        var talent = await ReadAsync(name, ct);
        await directory.AuthorizeAsync(caller, talent.Value.EmployerUscc, ct);
        return talent;
    }

    /// <summary>Zone callers list everything or one employer's talents; a district lists one of its employers.</summary>
    public async Task<Page<Versioned<TalentRecord>>> ListAsync(Caller caller, string? employerUscc, int pageSize, string? pageToken, CancellationToken ct)
    {
        if (employerUscc is null && !caller.IsZone)
        {
            throw new PermissionDeniedException($"{caller} lists talents by employer: set employer_uscc to an enterprise located in it");
        }
        if (employerUscc is not null) await directory.AuthorizeAsync(caller, employerUscc, ct);
        var index = employerUscc is null ? TalentKeys.Talents : TalentKeys.TalentsOfEmployer(employerUscc);
        return await store.ListAsync<TalentRecord>(index, TalentKeys.Talent, pageSize, pageToken, $"talents|{employerUscc}", ct);
    }

    public async Task<Versioned<TalentRecord>> CreateAsync(Caller caller, string? id, TalentDraft draft, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, TalentKeys.Service, "CreateTalent", requestId, ct) is { } existing) return await GetAsync(caller, existing, ct);

        var talent = TalentRecord.Create(string.IsNullOrEmpty(id) ? Ids.New('t') : id, draft, time.GetUtcNow());
        await directory.AuthorizeAsync(caller, talent.EmployerUscc, ct);
        var key = TalentKeys.Talent(talent.Id);
        var tx = new StateTransaction().PutJson(key, talent, 0)
            .AddToIndex(TalentKeys.Talents, talent.Id)
            .AddToIndex(TalentKeys.TalentsOfEmployer(talent.EmployerUscc), talent.Id);
        RequestIds.Remember(tx, TalentKeys.Service, "CreateTalent", requestId, talent.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<TalentRecord>(talent, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("Talent", talent.Name, $"talent '{talent.Id}' already exists");
        }
    }

    /// <summary>Updates a talent; moving it to another employer needs access to both employers.</summary>
    public async Task<Versioned<TalentRecord>> UpdateAsync(Caller caller, string name, string? displayName, string? employerUscc, string? field, Degree? degree,
        string? etag, CancellationToken ct)
    {
        var current = await GetAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = current.Value.Update(displayName, employerUscc, field, degree, time.GetUtcNow());
        var key = TalentKeys.Talent(next.Id);
        var tx = new StateTransaction().PutJson(key, next, expected);
        if (next.EmployerUscc != current.Value.EmployerUscc)
        {
            await directory.AuthorizeAsync(caller, next.EmployerUscc, ct);
            tx.RemoveFromIndex(TalentKeys.TalentsOfEmployer(current.Value.EmployerUscc), next.Id).AddToIndex(TalentKeys.TalentsOfEmployer(next.EmployerUscc), next.Id);
        }
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<TalentRecord>(next, result.Versions[key]);
    }

    public async Task<Versioned<Certification>> GetCertificationAsync(Caller caller, string name, CancellationToken ct)
    {
        var (talentId, id) = ResourceNames.Ids(name, TalentRecord.Collection, "certifications", "name");
        await GetAsync(caller, TalentRecord.NameOf(talentId), ct);
        return await store.ReadRequiredAsync<Certification>(TalentKeys.Certification(talentId, id), "Certification", name, ct);
    }

    public async Task<Page<Versioned<Certification>>> ListCertificationsAsync(Caller caller, string parent, int pageSize, string? pageToken, CancellationToken ct)
    {
        var talent = await GetAsync(caller, parent, ct);
        return await store.ListAsync<Certification>(TalentKeys.CertificationsOf(talent.Value.Id), id => TalentKeys.Certification(talent.Value.Id, id),
            pageSize, pageToken, $"certifications|{parent}", ct);
    }

    public async Task<Versioned<Certification>> ApplyAsync(Caller caller, string parent, string? id, TalentLevel level, string programme, string evidence,
        string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, TalentKeys.Service, "CreateCertification", requestId, ct) is { } existing) return await GetCertificationAsync(caller, existing, ct);

        var talent = await GetAsync(caller, parent, ct);
        var existingCerts = await store.ReadAllAsync<Certification>(TalentKeys.CertificationsOf(talent.Value.Id), c => TalentKeys.Certification(talent.Value.Id, c), ct);
        var certification = Certification.Apply(string.IsNullOrEmpty(id) ? Ids.New('c') : id, talent.Value, level, seed.GetProgramme(programme), evidence,
            existingCerts.Select(c => c.Value), time.GetUtcNow());
        var key = TalentKeys.Certification(talent.Value.Id, certification.Id);
        // Every application for this talent, level and programme rewrites one marker at the version read: two filed at
        // the same time conflict on it, so the duplicate check above cannot be raced.
        var pendingKey = StateKeys.For(TalentKeys.Service, "zone", "certification-applications", $"{talent.Value.Id}:{level}:{programme}");
        var pending = await store.GetAsync(pendingKey, ct);
        var tx = new StateTransaction().PutJson(key, certification, 0)
            .AddToIndex(TalentKeys.CertificationsOf(talent.Value.Id), certification.Id)
            .PutJson(pendingKey, certification.Name, pending?.Version ?? 0);
        RequestIds.Remember(tx, TalentKeys.Service, "CreateCertification", requestId, certification.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<Certification>(certification, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("Certification", certification.Name, $"certification '{certification.Id}' already exists");
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == pendingKey)
        {
            throw new AlreadyExistsException("Certification", certification.Name,
                $"another {level.ToString().ToLowerInvariant()} application under '{programme}' for talent '{talent.Value.Id}' was filed at the same time");
        }
    }

    public Task<Versioned<Certification>> StartReviewAsync(Caller caller, string name, string reviewer, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "review certifications");
        return ChangeCertificationAsync(caller, name, etag, c => c.StartReview(reviewer, time.GetUtcNow()), null, ct);
    }

    public Task<Versioned<Certification>> RejectAsync(Caller caller, string name, string reason, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "reject certifications");
        return ChangeCertificationAsync(caller, name, etag, c => c.Reject(reason, time.GetUtcNow()), null, ct);
    }

    /// <summary>Certifies; TalentCertified goes out in the same commit, naming the employer's current unit.</summary>
    public async Task<Versioned<Certification>> CertifyAsync(Caller caller, string name, DateOnly validFrom, DateOnly validTo, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "certify talents");
        var current = await GetCertificationAsync(caller, name, ct);
        var location = await directory.AuthorizeAsync(caller, current.Value.EmployerUscc, ct);
        var (certified, evt) = current.Value.Certify(validFrom, validTo, location.Unit, time.GetUtcNow());
        return await ChangeCertificationAsync(caller, name, etag, _ => certified, tx =>
        {
            tx.AddToIndex(TalentKeys.CertifiedAt(certified.Level), $"{certified.TalentId}:{certified.Id}");
            events.Add(tx, new TalentCertified
            {
                Talent = evt.Talent,
                Level = evt.Level.ToString().ToLowerInvariant(),
                Programme = evt.Programme,
                EmployerUscc = evt.EmployerUscc,
                EmployerUnit = evt.EmployerUnit.ResourceName,
            }, certified.Name);
        }, ct, current);
    }

    /// <summary>The documents' counts by level next to the certifications in force today.</summary>
    /// <summary>Talents registered zone-wide (an index count).</summary>
    public Task<long> CountAsync(CancellationToken ct) => store.CountIndexAsync(TalentKeys.Talents, ct);

    public async Task<IReadOnlyList<(TalentLevel Level, BaselineCount Baseline, int InForce)>> StatisticsAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var result = new List<(TalentLevel, BaselineCount, int)>();
        foreach (var (level, baseline) in seed.Baseline.ByLevel.OrderBy(l => l.Key))
        {
            var certified = await store.ReadAllAsync<Certification>(TalentKeys.CertifiedAt(level), m =>
            {
                var colon = m.IndexOf(':');
                return TalentKeys.Certification(m[..colon], m[(colon + 1)..]);
            }, ct);
            result.Add((level, baseline, certified.Count(c => c.Value.IsValidOn(today))));
        }
        return result;
    }

    private async Task<Versioned<Certification>> ChangeCertificationAsync(Caller caller, string name, string? etag, Func<Certification, Certification> change,
        Action<StateTransaction>? also, CancellationToken ct, Versioned<Certification>? read = null)
    {
        var current = read ?? await GetCertificationAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = change(current.Value);
        var key = TalentKeys.Certification(next.TalentId, next.Id);
        var tx = new StateTransaction().PutJson(key, next, expected);
        also?.Invoke(tx);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<Certification>(next, result.Versions[key]);
    }

    private Task<Versioned<TalentRecord>> ReadAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<TalentRecord>(TalentKeys.Talent(ResourceNames.Id(name, TalentRecord.Collection, "name")), "Talent", name, ct);
}
