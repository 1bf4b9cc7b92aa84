using Parks.Domain;

namespace Parks.Talent.Domain;

/// <summary>The three levels the zone counts its talents by (000:152: national 140, provincial 170, municipal 3,800+).</summary>
internal enum TalentLevel
{
    National = 1,
    Provincial = 2,
    Municipal = 3,
}

internal enum CertificationStatus
{
    Submitted = 1,
    UnderReview = 2,
    Certified = 3,
    Rejected = 4,
}

/// <summary>A talent programme of the catalogue (海创工程, 科创工程, 人才归巢, ...), with its source.</summary>
internal sealed record TalentProgramme(string Id, string NameZh, string NameEn, string Source);

/// <summary>The TalentCertified integration event (parks.events.v1.TalentCertified).</summary>
internal sealed record TalentCertifiedEvent(string Talent, TalentLevel Level, string Programme, string EmployerUscc, UnitRef EmployerUnit);

/// <summary>
/// A certification of a talent at a level under a programme: application → review → certified (with a validity
/// period) or rejected (with a reason).
/// </summary>
internal sealed record Certification(
    string Id,
    string TalentId,
    TalentLevel Level,
    string Programme,
    string EmployerUscc,
    CertificationStatus Status,
    string Evidence,
    string? Reviewer,
    string? RejectionReason,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public string Name => $"{TalentRecord.NameOf(TalentId)}/certifications/{Id}";

    public static string NameOf(string talentId, string id) => $"{TalentRecord.NameOf(talentId)}/certifications/{id}";

    /// <summary>Pending or in force on <paramref name="date"/>: such a certification blocks a duplicate application.</summary>
    public bool BlocksDuplicateOn(DateOnly date) =>
        Status is CertificationStatus.Submitted or CertificationStatus.UnderReview || IsValidOn(date);

    public bool IsValidOn(DateOnly date) => Status == CertificationStatus.Certified && ValidFrom <= date && date <= ValidTo;

    /// <summary>
    /// Applies for a certification. A second application at the same level under the same programme while one is
    /// pending or in force is a duplicate.
    /// </summary>
    public static Certification Apply(string id, TalentRecord talent, TalentLevel level, TalentProgramme programme, string evidence,
        IEnumerable<Certification> existing, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("certification_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.Require(Enum.IsDefined(level), "level", "is required (national, provincial or municipal)");
        v.RequireText(evidence, "evidence", 2000);
        v.ThrowIfInvalid();

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var duplicate = existing.FirstOrDefault(c => c.Level == level && c.Programme == programme.Id && c.BlocksDuplicateOn(today));
        if (duplicate is not null)
        {
            throw new AlreadyExistsException("Certification", duplicate.Name,
                $"talent '{talent.Id}' already has a {duplicate.Status.ToString().ToLowerInvariant()} {level.ToString().ToLowerInvariant()} certification under {programme.NameZh} ({duplicate.Name})");
        }
        return new Certification(id, talent.Id, level, programme.Id, talent.EmployerUscc, CertificationStatus.Submitted, evidence.Trim(),
            null, null, null, null, now, now);
    }

    public Certification StartReview(string reviewer, DateTimeOffset now)
    {
        Require(CertificationStatus.Submitted, "start reviewing");
        new Validator().RequireText(reviewer, "reviewer").ThrowIfInvalid();
        return this with { Status = CertificationStatus.UnderReview, Reviewer = reviewer.Trim(), UpdateTime = now };
    }

    /// <summary>Certifies for a validity period; publishes TalentCertified with the employer's current unit.</summary>
    public (Certification Certification, TalentCertifiedEvent Certified) Certify(DateOnly validFrom, DateOnly validTo, UnitRef employerUnit, DateTimeOffset now)
    {
        Require(CertificationStatus.UnderReview, "certify");
        if (validTo <= validFrom)
        {
            throw new ValidationException("valid_to", $"must be after valid_from ({validFrom:yyyy-MM-dd})");
        }
        if (validTo < DateOnly.FromDateTime(now.UtcDateTime))
        {
            throw new ValidationException("valid_to", "is in the past: the certification would never be in force");
        }
        var next = this with { Status = CertificationStatus.Certified, ValidFrom = validFrom, ValidTo = validTo, UpdateTime = now };
        return (next, new TalentCertifiedEvent(TalentRecord.NameOf(TalentId), Level, Programme, EmployerUscc, employerUnit));
    }

    public Certification Reject(string reason, DateTimeOffset now)
    {
        Require(CertificationStatus.UnderReview, "reject");
        new Validator().RequireText(reason, "reason", 1000).ThrowIfInvalid();
        return this with { Status = CertificationStatus.Rejected, RejectionReason = reason.Trim(), UpdateTime = now };
    }

    private void Require(CertificationStatus expected, string action)
    {
        if (Status != expected)
        {
            throw new FailedPreconditionException("CERTIFICATION_STATE", Name, $"cannot {action} a certification that is {Status}; it must be {expected}");
        }
    }
}

/// <summary>
/// The zone's talent counts by level at a year end (000:152): the seed baseline. These are aggregates, never
/// turned into invented people; certifications recorded here are counted separately.
/// </summary>
internal sealed record TalentBaseline(int Year, IReadOnlyDictionary<TalentLevel, BaselineCount> ByLevel, string Source);

/// <summary>A count as the documents state it: "3800余" is 3800 with the qualifier "more than".</summary>
internal sealed record BaselineCount(int Value, bool ApproximatelyMore);
