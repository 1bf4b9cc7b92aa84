using Parks.Domain;

namespace Parks.Talent.Domain;

internal enum ServiceRequestStatus
{
    Submitted = 1,
    Accepted = 2,
    InProgress = 3,
    Fulfilled = 4,
    Rejected = 5,
}

/// <summary>
/// A kind of talent service the documents name (子女入学, 随迁配偶就业, 住房, 老人赡养就医, 落户, 出入境, ...) with the
/// time it should take. The documents state no SLA (seeds-domain §1b.7), so every SLA is illustrative configuration.
/// </summary>
internal sealed record ServiceType(string Id, string NameZh, string NameEn, TimeSpan Sla, bool SlaIllustrative, string Source);

internal sealed record StatusChange(ServiceRequestStatus Status, DateTimeOffset Time, string Actor, string? Note);

internal sealed record Satisfaction(int Score, string? Comment, DateTimeOffset Time);

/// <summary>The TalentServiceRequestOverdue integration event.</summary>
internal sealed record ServiceRequestOverdueEvent(string Request, string RequestType, UnitRef? EmployerUnit, DateTimeOffset DueTime);

/// <summary>
/// A talent service request: submitted → accepted → in progress → fulfilled, or rejected on the way; due by the
/// type's SLA from submission; flagged once when overdue; rated for satisfaction after it closes.
/// </summary>
internal sealed record ServiceRequest(
    string Id,
    string TalentId,
    string Type,
    string Description,
    ServiceRequestStatus Status,
    DateTimeOffset SubmitTime,
    DateTimeOffset DueTime,
    IReadOnlyList<StatusChange> History,
    string? RejectionReason,
    DateTimeOffset? OverdueTime,
    Satisfaction? Satisfaction,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "serviceRequests";
    public const int MinScore = 1;
    public const int MaxScore = 5;

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public bool IsOpen => Status is ServiceRequestStatus.Submitted or ServiceRequestStatus.Accepted or ServiceRequestStatus.InProgress;

    /// <summary>Closed after its due time (or still open past it).</summary>
    public bool IsLate(DateTimeOffset now) =>
        IsOpen ? now > DueTime : History[^1].Time > DueTime;

    /// <summary>A new request; an open request of the same type for the same talent makes this one a duplicate.</summary>
    public static ServiceRequest Submit(string id, TalentRecord talent, ServiceType type, string description, string actor,
        IEnumerable<ServiceRequest> talentsRequests, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("service_request_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(description, "description", 2000);
        v.RequireText(actor, "actor");
        v.ThrowIfInvalid();
        var open = talentsRequests.FirstOrDefault(r => r.Type == type.Id && r.IsOpen);
        if (open is not null)
        {
            throw new AlreadyExistsException("ServiceRequest", open.Name,
                $"talent '{talent.Id}' already has an open {type.NameZh} request ({open.Name})");
        }
        return new ServiceRequest(id, talent.Id, type.Id, description.Trim(), ServiceRequestStatus.Submitted, now, now + type.Sla,
            [new StatusChange(ServiceRequestStatus.Submitted, now, actor.Trim(), null)], null, null, null, now);
    }

    public ServiceRequest Accept(string actor, string? note, DateTimeOffset now) => Move(ServiceRequestStatus.Submitted, ServiceRequestStatus.Accepted, actor, note, now);

    public ServiceRequest Start(string actor, string? note, DateTimeOffset now) => Move(ServiceRequestStatus.Accepted, ServiceRequestStatus.InProgress, actor, note, now);

    public ServiceRequest Fulfil(string actor, string? note, DateTimeOffset now) => Move(ServiceRequestStatus.InProgress, ServiceRequestStatus.Fulfilled, actor, note, now);

    public ServiceRequest Reject(string actor, string reason, DateTimeOffset now)
    {
        new Validator().RequireText(reason, "reason", 1000).RequireText(actor, "actor").ThrowIfInvalid();
        if (!IsOpen) throw new FailedPreconditionException("REQUEST_STATE", Name, $"request is already {Status}");
        return this with
        {
            Status = ServiceRequestStatus.Rejected,
            RejectionReason = reason.Trim(),
            History = History.Append(new StatusChange(ServiceRequestStatus.Rejected, now, actor.Trim(), reason.Trim())).ToList(),
            UpdateTime = now,
        };
    }

    /// <summary>
    /// Flags an open request past its due time, once: returns the event to publish, or null when the request is not
    /// overdue or was already flagged.
    /// </summary>
    public (ServiceRequest Request, ServiceRequestOverdueEvent? Overdue) DetectOverdue(UnitRef? employerUnit, DateTimeOffset now)
    {
        if (!IsOpen || OverdueTime is not null || now <= DueTime) return (this, null);
        var flagged = this with { OverdueTime = now, UpdateTime = now };
        return (flagged, new ServiceRequestOverdueEvent(Name, Type, employerUnit, DueTime));
    }

    /// <summary>The talent's satisfaction (1-5) after the request closed; rated once.</summary>
    public ServiceRequest Rate(int score, string? comment, DateTimeOffset now)
    {
        if (score is < MinScore or > MaxScore) throw new ValidationException("score", $"must be {MinScore} to {MaxScore} (got {score})");
        if (comment is { Length: > 1000 }) throw new ValidationException("comment", "must be at most 1000 characters");
        if (IsOpen) throw new FailedPreconditionException("REQUEST_STATE", Name, $"request is still {Status}; it is rated once it is fulfilled or rejected");
        if (Satisfaction is not null) throw new AlreadyExistsException("Satisfaction", $"{Name}/satisfaction", "request has already been rated");
        return this with { Satisfaction = new Satisfaction(score, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), now), UpdateTime = now };
    }

    private ServiceRequest Move(ServiceRequestStatus from, ServiceRequestStatus to, string actor, string? note, DateTimeOffset now)
    {
        new Validator().RequireText(actor, "actor").ThrowIfInvalid();
        if (Status != from)
        {
            throw new FailedPreconditionException("REQUEST_STATE", Name, $"request is {Status}; it must be {from} to become {to}");
        }
        return this with
        {
            Status = to,
            History = History.Append(new StatusChange(to, now, actor.Trim(), string.IsNullOrWhiteSpace(note) ? null : note.Trim())).ToList(),
            UpdateTime = now,
        };
    }
}
