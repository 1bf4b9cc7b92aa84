using System.Globalization;
using Parks.Domain;

namespace Parks.Units.Domain;

public enum EnterpriseStatus
{
    Unspecified = 0,
    /// <summary>存续: operating.</summary>
    Operating = 1,
    /// <summary>注销: deregistered; kept for history, no longer changes.</summary>
    Deregistered = 2,
}

/// <summary>One move of an enterprise between units (districts, branch parks).</summary>
public sealed record LocationChange(string FromUnit, string ToUnit, DateOnly Date, string? Reason, DateTimeOffset Time);

/// <summary>The caller's description of a new enterprise (fields unchecked).</summary>
public sealed record EnterpriseDraft(
    string? Uscc,
    string? DisplayName,
    string? Industry,
    DateOnly? RegistrationDate,
    string? Address,
    string? Building);

/// <summary>New values for the fields named in an update mask.</summary>
public sealed record EnterprisePatch(
    string? DisplayName,
    string? Industry,
    DateOnly? RegistrationDate,
    string? Address,
    string? Building,
    EnterpriseStatus Status);

/// <summary>
/// An enterprise located in a district or branch park, identified zone-wide by its unified social credit code.
/// It carries its tier history (certifications) and location history, so a relocation moves both.
/// </summary>
public sealed record Enterprise
{
    public const int MaxDisplayName = 200;
    public const int MaxAddress = 300;
    public const int MaxBuilding = 100;
    public const int MaxReason = 500;
    public static readonly DateOnly EarliestRegistrationDate = new(1900, 1, 1);

    /// <summary>Fields an update mask may name.</summary>
    public static readonly IReadOnlyList<string> UpdatableFields = ["display_name", "industry", "registration_date", "address", "building", "status"];

    public required string Uscc { get; init; }
    public required UnitRef Unit { get; init; }
    public required string DisplayName { get; init; }
    public required string Industry { get; init; }
    public required DateOnly RegistrationDate { get; init; }
    public string? Address { get; init; }
    public string? Building { get; init; }
    public EnterpriseStatus Status { get; init; } = EnterpriseStatus.Operating;
    /// <summary>Synthetic record of the local run's demo data set, never a real enterprise.</summary>
    public bool Demo { get; init; }
    /// <summary>The current tier as of <see cref="TierAsOf"/> (kept for the tier indexes).</summary>
    public EnterpriseTier Tier { get; init; }
    public DateOnly TierAsOf { get; init; }
    public IReadOnlyList<Certification> Certifications { get; init; } = [];
    public IReadOnlyList<LocationChange> Locations { get; init; } = [];
    public DateTimeOffset CreateTime { get; init; }
    public DateTimeOffset UpdateTime { get; init; }

    public string Name => ResourceNames.Enterprise(Unit, Uscc);

    public static Enterprise Register(UnitRef unit, EnterpriseDraft draft, IndustryCatalog industries, bool demo, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        string? uscc = null;
        if (UnifiedSocialCreditCode.TryParse(draft.Uscc, out var code, out var reason)) uscc = code.Value.Value;
        else v.Add("enterprise.uscc", $"invalid unified social credit code: {reason}");
        v.RequireText(draft.DisplayName, "enterprise.display_name", MaxDisplayName);
        CheckIndustry(v, draft.Industry, industries, "enterprise.industry");
        CheckRegistrationDate(v, draft.RegistrationDate, today, "enterprise.registration_date");
        CheckOptional(v, draft.Address, MaxAddress, "enterprise.address");
        CheckOptional(v, draft.Building, MaxBuilding, "enterprise.building");
        v.ThrowIfInvalid();

        return new Enterprise
        {
            Uscc = uscc!,
            Unit = unit,
            DisplayName = draft.DisplayName!.Trim(),
            Industry = draft.Industry!,
            RegistrationDate = draft.RegistrationDate!.Value,
            Address = Normalize(draft.Address),
            Building = Normalize(draft.Building),
            Status = EnterpriseStatus.Operating,
            Demo = demo,
            Tier = EnterpriseTier.Unspecified,
            TierAsOf = today,
            CreateTime = now,
            UpdateTime = now,
        };
    }

    /// <summary>Applies the fields named in <paramref name="mask"/> (proto field names).</summary>
    public Enterprise Update(IReadOnlyCollection<string> mask, EnterprisePatch patch, IndustryCatalog industries, TierRules rules, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        if (mask.Count == 0) v.Add("update_mask", $"is required: name the fields to change ({string.Join(", ", UpdatableFields)})");
        foreach (var path in mask)
        {
            if (UpdatableFields.Contains(path)) continue;
            v.Add("update_mask", path switch
            {
                "uscc" or "name" or "unit" => $"'{path}' is immutable (a move between units is RelocateEnterprise)",
                "tier" or "certifications" => $"'{path}' changes through CertifyEnterpriseTier, RenewCertification and DisqualifyCertification",
                _ => $"'{path}' cannot be updated (updatable: {string.Join(", ", UpdatableFields)})",
            });
        }
        v.ThrowIfInvalid();
        if (Status == EnterpriseStatus.Deregistered)
            throw new FailedPreconditionException("ENTERPRISE_STATUS", Name, $"enterprise {Name} is deregistered and can no longer be changed");

        var next = this;
        if (mask.Contains("display_name"))
        {
            v.RequireText(patch.DisplayName, "enterprise.display_name", MaxDisplayName);
            next = next with { DisplayName = patch.DisplayName?.Trim() ?? "" };
        }
        if (mask.Contains("industry"))
        {
            CheckIndustry(v, patch.Industry, industries, "enterprise.industry");
            next = next with { Industry = patch.Industry ?? "" };
        }
        if (mask.Contains("registration_date"))
        {
            CheckRegistrationDate(v, patch.RegistrationDate, today, "enterprise.registration_date");
            var earliestCertification = Certifications.Count == 0 ? (DateOnly?)null : Certifications.Min(c => c.ValidFrom);
            if (patch.RegistrationDate is { } date && earliestCertification is { } first && date > first)
                v.Add("enterprise.registration_date", $"must not be after the enterprise's first certification ({Iso(first)})");
            next = next with { RegistrationDate = patch.RegistrationDate ?? default };
        }
        if (mask.Contains("address"))
        {
            CheckOptional(v, patch.Address, MaxAddress, "enterprise.address");
            next = next with { Address = Normalize(patch.Address) };
        }
        if (mask.Contains("building"))
        {
            CheckOptional(v, patch.Building, MaxBuilding, "enterprise.building");
            next = next with { Building = Normalize(patch.Building) };
        }
        if (mask.Contains("status"))
        {
            if (patch.Status is not (EnterpriseStatus.Operating or EnterpriseStatus.Deregistered))
                v.Add("enterprise.status", "must be OPERATING or DEREGISTERED");
            next = next with { Status = patch.Status };
        }
        v.ThrowIfInvalid();
        return next.WithTierOn(today, rules) with { UpdateTime = now };
    }

    /// <summary>The enterprise as the target unit will hold it: same records, new unit, the move appended to its history.</summary>
    public Enterprise RelocateTo(UnitRef target, DateOnly? date, string? reason, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        if (date is null) v.Add("relocation_date", "is required");
        else if (date.Value > today) v.Add("relocation_date", $"must not be in the future (today is {Iso(today)})");
        else if (date.Value < RegistrationDate) v.Add("relocation_date", $"must not be before the registration date {Iso(RegistrationDate)}");
        else if (Locations.Count > 0 && date.Value < Locations[^1].Date)
            v.Add("relocation_date", $"must not be before the previous relocation ({Iso(Locations[^1].Date)})");
        CheckOptional(v, reason, MaxReason, "reason");
        v.ThrowIfInvalid();
        if (target == Unit)
            throw new FailedPreconditionException("RELOCATION_TARGET", Name, $"enterprise {Uscc} is already located in {Unit}");
        if (Status == EnterpriseStatus.Deregistered)
            throw new FailedPreconditionException("ENTERPRISE_STATUS", Name, $"enterprise {Name} is deregistered and cannot be relocated");

        return this with
        {
            Unit = target,
            Locations = [.. Locations, new LocationChange(Unit.ResourceName, target.ResourceName, date!.Value, Normalize(reason), now)],
            UpdateTime = now,
        };
    }

    public Certification FindCertification(string id) =>
        Certifications.FirstOrDefault(c => c.Id == id)
        ?? throw new NotFoundException("Certification", ResourceNames.Certification(Unit, Uscc, id));

    /// <summary>The highest tier held on <paramref name="day"/> (a deregistered enterprise holds none).</summary>
    public EnterpriseTier TierOn(DateOnly day, TierRules rules)
    {
        if (Status == EnterpriseStatus.Deregistered) return EnterpriseTier.Unspecified;
        var tier = EnterpriseTier.Unspecified;
        foreach (var c in Certifications)
        {
            if (c.HoldsTierOn(day, rules)) tier = TierLadder.Higher(tier, c.Tier);
        }
        return tier;
    }

    /// <summary>Recomputes the stored tier for <paramref name="day"/> (certifications lapse by date).</summary>
    public Enterprise WithTierOn(DateOnly day, TierRules rules) => this with { Tier = TierOn(day, rules), TierAsOf = day };

    /// <summary>
    /// Certifies the enterprise at a tier (首次认定, or anew after a lapse). The ladder is climbed rung by rung
    /// (000:110): a first certification more than <see cref="TierRules.MaxRungStep"/> rungs above the current tier,
    /// or an enterprise without a tier entering above the entry tiers, is refused.
    /// </summary>
    public (Enterprise Enterprise, Certification Certification, EnterpriseTier PreviousTier) Certify(
        CertificationDraft draft, TierRules rules, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        if (!TierLadder.IsDefined(draft.Tier)) v.Add("tier", "is required (one of the ladder's tiers)");
        CheckAuthority(v, draft.Authority, draft.AuthorityLevel, draft.Batch);
        if (draft.ValidFrom is null) v.Add("valid_from", "is required");
        else if (draft.ValidFrom.Value > today) v.Add("valid_from", $"must not be in the future (today is {Iso(today)})");
        else if (draft.ValidFrom.Value < RegistrationDate)
            v.Add("valid_from", $"must not be before the enterprise's registration date {Iso(RegistrationDate)}");
        if (draft.AnnualOutputFen is < 0) v.Add("annual_output_fen", "must not be negative");
        v.ThrowIfInvalid();
        var validTo = ResolveValidTo(v, draft.Tier, draft.ValidFrom!.Value, draft.ValidTo, rules);
        v.ThrowIfInvalid();

        RequireOperating();
        var current = TierOn(today, rules);
        var held = Certifications.FirstOrDefault(c => c.Tier == draft.Tier
            && c.StateOn(today, rules) is CertificationState.Valid or CertificationState.RecertificationPending or CertificationState.Upcoming);
        if (held is not null)
        {
            throw new FailedPreconditionException("TIER_TRANSITION", Name,
                $"enterprise {Uscc} already holds {TierLadder.NameZh(draft.Tier)} (certification {held.Id}, valid to {IsoOrOpen(held.ValidTo)}); renew that certification instead");
        }
        if (TierLadder.Rung(draft.Tier) > TierLadder.Rung(current))
        {
            if (current == EnterpriseTier.Unspecified && !rules.EffectiveEntryTiers.Contains(draft.Tier))
            {
                throw new FailedPreconditionException("TIER_TRANSITION", Name,
                    $"enterprise {Uscc} holds no tier; it enters the ladder {TierLadder.Description} at {string.Join(" or ", rules.EffectiveEntryTiers.Select(TierLadder.NameZh))}, not at {TierLadder.NameZh(draft.Tier)}");
            }
            var step = TierLadder.Rung(draft.Tier) - TierLadder.Rung(current);
            if (current != EnterpriseTier.Unspecified && step > rules.MaxRungStep)
            {
                throw new FailedPreconditionException("TIER_TRANSITION", Name,
                    $"{TierLadder.NameZh(current)} → {TierLadder.NameZh(draft.Tier)} skips {step - 1} rung(s) of the ladder {TierLadder.Description}; at most {rules.MaxRungStep} rung(s) up at a time");
            }
        }
        if (draft.Tier == EnterpriseTier.Leader && (draft.AnnualOutputFen is null || draft.AnnualOutputFen.Value <= TierLadder.LeaderOutputThreshold.Value))
        {
            throw new FailedPreconditionException("TIER_CRITERIA", Name,
                $"领军企业 requires annual output above 10亿元 (\"产值超10亿元\", 002:45); annual_output_fen {(draft.AnnualOutputFen is null ? "is missing" : $"is {new Fen(draft.AnnualOutputFen.Value).ToYuanString()} yuan")}");
        }

        var certification = new Certification
        {
            Id = NextCertificationId(),
            Tier = draft.Tier,
            Authority = draft.Authority!.Trim(),
            AuthorityLevel = draft.AuthorityLevel,
            Batch = Normalize(draft.Batch),
            ValidFrom = draft.ValidFrom.Value,
            ValidTo = validTo,
            AnnualOutputFen = draft.AnnualOutputFen,
            CreateTime = now,
        };
        var next = (this with { Certifications = [.. Certifications, certification], UpdateTime = now }).WithTierOn(today, rules);
        return (next, certification, current);
    }

    /// <summary>
    /// Renews (重新认定) a certification: a new certification of the same tier that follows it. Allowed from
    /// <see cref="TierRules.RenewalWindowDays"/> before its end until its end (for 高企, until the end of the
    /// re-certification period).
    /// </summary>
    public (Enterprise Enterprise, Certification Certification, EnterpriseTier PreviousTier) Renew(
        string certificationId, RenewalDraft draft, TierRules rules, DateOnly today, DateTimeOffset now)
    {
        var old = FindCertification(certificationId);
        var v = new Validator();
        CheckAuthority(v, draft.Authority, draft.AuthorityLevel, draft.Batch);
        if (draft.ValidFrom is null) v.Add("valid_from", "is required");
        v.ThrowIfInvalid();

        RequireOperating();
        var subject = ResourceNames.Certification(Unit, Uscc, old.Id);
        var state = old.StateOn(today, rules);
        switch (state)
        {
            case CertificationState.Disqualified:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} was disqualified on {IsoOrOpen(old.DisqualifiedOn)}; it cannot be renewed — certify the tier anew");
            case CertificationState.Renewed:
            case CertificationState.Valid or CertificationState.Upcoming or CertificationState.RecertificationPending when old.RenewedBy is not null:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} was already renewed by certification {old.RenewedBy}");
            case CertificationState.Expired:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} lapsed on {IsoOrOpen(old.LapsesOn(rules))}; it can no longer be renewed — certify the tier anew");
        }
        if (old.ValidTo is null)
            throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"{TierLadder.NameZh(old.Tier)} certification {old.Id} does not expire, so there is nothing to renew");
        var opens = old.ValidTo.Value.AddDays(-rules.RenewalWindowDays);
        if (today < opens)
            throw new FailedPreconditionException("RENEWAL_WINDOW", subject, $"renewal of certification {old.Id} opens on {Iso(opens)} ({rules.RenewalWindowDays} days before it ends on {Iso(old.ValidTo.Value)}; illustrative window)");

        var latestStart = (old.LapsesOn(rules) ?? old.ValidTo.Value.AddDays(1));
        if (draft.ValidFrom!.Value <= old.ValidFrom)
            v.Add("valid_from", $"must be after the renewed certification's start {Iso(old.ValidFrom)}");
        else if (draft.ValidFrom.Value > latestStart)
            v.Add("valid_from", $"must be on or before {Iso(latestStart)} so the tier is held without a gap");
        else if (draft.ValidFrom.Value > today && draft.ValidFrom.Value != old.ValidTo.Value.AddDays(1))
            v.Add("valid_from", $"a renewal filed ahead of time starts the day after the current certification ends ({Iso(old.ValidTo.Value.AddDays(1))})");
        v.ThrowIfInvalid();
        var validTo = ResolveValidTo(v, old.Tier, draft.ValidFrom.Value, draft.ValidTo, rules);
        v.ThrowIfInvalid();

        var renewal = new Certification
        {
            Id = NextCertificationId(),
            Tier = old.Tier,
            Authority = draft.Authority!.Trim(),
            AuthorityLevel = draft.AuthorityLevel,
            Batch = Normalize(draft.Batch),
            ValidFrom = draft.ValidFrom.Value,
            ValidTo = validTo,
            Renewal = true,
            Renews = old.Id,
            AnnualOutputFen = old.AnnualOutputFen,
            CreateTime = now,
        };
        var previous = TierOn(today, rules);
        var certifications = Certifications.Select(c => c.Id == old.Id ? c with { RenewedBy = renewal.Id } : c).Append(renewal).ToArray();
        var next = (this with { Certifications = certifications, UpdateTime = now }).WithTierOn(today, rules);
        return (next, renewal, previous);
    }

    /// <summary>
    /// Withdraws a certification (e.g. 取消高企资格, 002:767). Disqualifying a 高企 during its re-certification period
    /// marks the tax clawback ("先减后补"): the 15% rate applied meanwhile is paid back.
    /// </summary>
    public (Enterprise Enterprise, Certification Certification) Disqualify(
        string certificationId, string? reason, DateOnly? effectiveDate, TierRules rules, DateOnly today, DateTimeOffset now)
    {
        var old = FindCertification(certificationId);
        var v = new Validator();
        v.RequireText(reason, "reason", MaxReason);
        var effective = effectiveDate ?? today;
        if (effective > today) v.Add("effective_date", $"must not be in the future (today is {Iso(today)})");
        else if (effective < old.ValidFrom) v.Add("effective_date", $"must not be before the certification's start {Iso(old.ValidFrom)}");
        v.ThrowIfInvalid();

        var subject = ResourceNames.Certification(Unit, Uscc, old.Id);
        var state = old.StateOn(effective, rules);
        switch (state)
        {
            case CertificationState.Disqualified:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} was already disqualified on {IsoOrOpen(old.DisqualifiedOn)}");
            case CertificationState.Renewed:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} was renewed by certification {old.RenewedBy}; disqualify that one");
            case CertificationState.Expired:
                throw new FailedPreconditionException("CERTIFICATION_STATE", subject, $"certification {old.Id} had already lapsed on {IsoOrOpen(old.LapsesOn(rules))}");
        }

        var disqualified = old with
        {
            Status = CertificationStatus.Disqualified,
            DisqualifiedOn = effective,
            DisqualificationReason = reason!.Trim(),
            TaxClawback = old.Tier == EnterpriseTier.HighTech && state == CertificationState.RecertificationPending,
        };
        var certifications = Certifications.Select(c => c.Id == old.Id ? disqualified : c).ToArray();
        var next = (this with { Certifications = certifications, UpdateTime = now }).WithTierOn(today, rules);
        return (next, disqualified);
    }

    private void RequireOperating()
    {
        if (Status != EnterpriseStatus.Operating)
            throw new FailedPreconditionException("ENTERPRISE_STATUS", Name, $"enterprise {Name} is {Status.ToString().ToUpperInvariant()}; only operating enterprises are certified");
    }

    private string NextCertificationId() => (Certifications.Count + 1).ToString(CultureInfo.InvariantCulture);

    private static DateOnly? ResolveValidTo(Validator v, EnterpriseTier tier, DateOnly validFrom, DateOnly? requested, TierRules rules)
    {
        var months = rules.ValidityFor(tier);
        if (months is null)
        {
            if (requested is { } end && end < validFrom) v.Add("valid_to", $"must not be before valid_from {Iso(validFrom)}");
            return requested;
        }
        var longest = validFrom.AddMonths(months.Value).AddDays(-1);
        if (requested is null) return longest;
        if (requested.Value < validFrom) v.Add("valid_to", $"must not be before valid_from {Iso(validFrom)}");
        else if (requested.Value > longest)
            v.Add("valid_to", $"{TierLadder.NameZh(tier)} certifications are valid for at most {months} months (illustrative), so valid_to must be on or before {Iso(longest)}");
        return requested;
    }

    private static void CheckAuthority(Validator v, string? authority, AuthorityLevel level, string? batch)
    {
        v.RequireText(authority, "authority", 200);
        if (level is < AuthorityLevel.National or > AuthorityLevel.Zone) v.Add("authority_level", "is required (NATIONAL, PROVINCIAL, MUNICIPAL or ZONE)");
        CheckOptional(v, batch, 200, "batch");
    }

    internal static void CheckIndustry(Validator v, string? industry, IndustryCatalog industries, string field)
    {
        if (string.IsNullOrEmpty(industry)) v.Add(field, $"is required (one of the 1+8 industries: {industries.Listing})");
        else if (!industries.Contains(industry)) v.Add(field, $"'{industry}' is not one of the 1+8 industries ({industries.Listing})");
    }

    private static void CheckRegistrationDate(Validator v, DateOnly? date, DateOnly today, string field)
    {
        if (date is null) v.Add(field, "is required");
        else if (date.Value > today) v.Add(field, $"must not be in the future (today is {Iso(today)})");
        else if (date.Value < EarliestRegistrationDate) v.Add(field, $"must not be before {Iso(EarliestRegistrationDate)}");
    }

    internal static void CheckOptional(Validator v, string? value, int maxLength, string field)
    {
        if (value is not null && value.Length > maxLength) v.Add(field, $"must be at most {maxLength} characters (got {value.Length})");
    }

    internal static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string IsoOrOpen(DateOnly? date) => date is null ? "(open-ended)" : Iso(date.Value);
}
