using System.Globalization;
using System.Text.Json;
using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Policies;

namespace Parks.Finance.Data;

/// <summary>
/// The policy catalogue (Data/policies.json): every version of every policy. Payouts name the rule version they
/// were computed with, so old versions stay loadable.
/// </summary>
internal sealed class PolicyCatalogue
{
    private readonly Dictionary<string, Policy> _latest;
    private readonly Dictionary<string, Policy> _byVersion;

    public PolicyCatalogue(IEnumerable<Policy> policies)
    {
        var list = policies.ToList();
        _byVersion = new Dictionary<string, Policy>(StringComparer.Ordinal);
        foreach (var p in list)
        {
            if (!_byVersion.TryAdd(p.RuleVersion, p)) throw new InvalidDataException($"policy catalogue: {p.RuleVersion} appears twice");
        }
        _latest = list.GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(p => p.Version)!, StringComparer.Ordinal);
        All = _latest.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The current version of every policy, by id.</summary>
    public IReadOnlyList<Policy> All { get; }

    public Policy Get(string id) =>
        _latest.TryGetValue(id, out var p) ? p : throw new NotFoundException("Policy", Policy.NameOf(id));

    public Policy GetVersion(string ruleVersion) =>
        _byVersion.TryGetValue(ruleVersion, out var p) ? p : throw new NotFoundException("PolicyVersion", ruleVersion);

    /// <summary>The automatic policies a fact of this kind may trigger.</summary>
    public IEnumerable<Policy> Automatic(FactKind fact) => All.Where(p => p.Mode == PayoutMode.Automatic && p.Trigger?.Fact == fact);

    public static PolicyCatalogue LoadEmbedded() => Load(SeedResources.Read("policies.json"));

    public static PolicyCatalogue Load(string json)
    {
        var doc = JsonSerializer.Deserialize<CatalogueDto>(json, SeedResources.JsonOptions) ?? throw new InvalidDataException("policy catalogue is empty");
        return new PolicyCatalogue((doc.Policies ?? []).Select(ToPolicy));
    }

    private static Policy ToPolicy(PolicyDto d)
    {
        string Where(string what) => $"policy catalogue: policy '{d.Id}' {what}";
        if (string.IsNullOrEmpty(d.Id) || !Zone.IsValidSlug(d.Id)) throw new InvalidDataException($"policy catalogue: bad policy id '{d.Id}'");
        if (d.Version < 1) throw new InvalidDataException(Where("needs a version >= 1"));
        if (string.IsNullOrEmpty(d.Src)) throw new InvalidDataException(Where("has no source citation (src)"));

        var mode = d.Mode switch
        {
            "automatic" => PayoutMode.Automatic,
            "application" => PayoutMode.Application,
            _ => throw new InvalidDataException(Where($"has unknown mode '{d.Mode}'")),
        };
        var beneficiary = d.Beneficiary switch
        {
            "enterprise" => BeneficiaryKind.Enterprise,
            "incubator" => BeneficiaryKind.Incubator,
            "fund-manager" => BeneficiaryKind.FundManager,
            "bank" => BeneficiaryKind.Bank,
            "insurer" => BeneficiaryKind.Insurer,
            "guarantor" => BeneficiaryKind.Guarantor,
            _ => throw new InvalidDataException(Where($"has unknown beneficiary '{d.Beneficiary}'")),
        };

        PolicyTrigger? trigger = null;
        if (d.Trigger is { } t)
        {
            var fact = t.Fact switch
            {
                "tier-certified" => FactKind.TierCertified,
                "loan-loss-verified" => FactKind.LoanLossVerified,
                _ => throw new InvalidDataException(Where($"has unknown trigger fact '{t.Fact}'")),
            };
            trigger = new PolicyTrigger(fact, Tiers(t.Tiers, Where), t.Renewal, t.RiskScheme);
        }
        if (mode == PayoutMode.Automatic && trigger is null) throw new InvalidDataException(Where("is automatic but has no trigger"));

        var window = d.Window ?? throw new InvalidDataException(Where("has no validity window"));
        var basis = window.Basis switch
        {
            "fact-date" => WindowBasis.FactDate,
            "registration-date" => WindowBasis.RegistrationDate,
            _ => throw new InvalidDataException(Where($"has unknown window basis '{window.Basis}'")),
        };

        var amount = d.Amount ?? throw new InvalidDataException(Where("has no amount rule"));
        AmountRule rule = amount.Kind switch
        {
            "fixed" => new AmountRule.Fixed(Wan(amount.Wan ?? throw new InvalidDataException(Where("fixed amount needs 'wan'")))),
            "rate" => Rate(amount.Base, amount.RatePercent, Where),
            "bands" => Bands(amount, Where),
            "requested" => new AmountRule.Requested(),
            _ => throw new InvalidDataException(Where($"has unknown amount kind '{amount.Kind}'")),
        };

        var caps = (d.Caps ?? []).Select(c => new Cap(
            c.Ledger is { Length: > 0 } ? c.Ledger : throw new InvalidDataException(Where("has a cap without a ledger")),
            c.Scope switch
            {
                "beneficiary" => CapScope.Beneficiary,
                "subject" => CapScope.Subject,
                _ => throw new InvalidDataException(Where($"has a cap with unknown scope '{c.Scope}'")),
            },
            c.Period switch
            {
                "cumulative" => CapPeriod.Cumulative,
                "year" => CapPeriod.Year,
                _ => throw new InvalidDataException(Where($"has a cap with unknown period '{c.Period}'")),
            },
            c.LimitWan is { } w ? Wan(w) : null)).ToList();

        if (rule is AmountRule.Requested && d.PerItemWan is null && caps.All(c => c.Limit is null))
        {
            throw new InvalidDataException(Where("pays a requested amount without any cap"));
        }
        var oncePer = d.OncePer ?? [];
        if (oncePer.Count == 0) throw new InvalidDataException(Where("needs 'oncePer': what makes a payout happen only once"));

        return new Policy(d.Id, d.Version, d.NameZh ?? d.Id, d.NameEn ?? d.Id, d.Document ?? "", d.Src, mode, beneficiary, trigger,
            new DateWindow(Date(window.From, Where), Date(window.To, Where)), basis, window.FromIllustrative || window.ToIllustrative,
            Tiers(d.SubjectTiers, Where), d.InputMinimums ?? new Dictionary<string, long>(), d.RequiredInputs ?? [],
            rule, d.PerItemWan is { } item ? Wan(item) : null, caps, oncePer,
            d.Budget?.AnnualWan is { } budget ? Wan(budget) : null, d.Budget?.Illustrative ?? true, window.FromNote);
    }

    private static AmountRule.Rate Rate(string? baseInput, string? percent, Func<string, string> where)
    {
        if (string.IsNullOrEmpty(baseInput)) throw new InvalidDataException(where("rate needs a 'base' input"));
        var (n, dd) = Ratio(percent, where);
        return new AmountRule.Rate(baseInput, n, dd);
    }

    private static AmountRule.Bands Bands(AmountDto amount, Func<string, string> where)
    {
        if (string.IsNullOrEmpty(amount.Base)) throw new InvalidDataException(where("bands need a 'base' input"));
        var bands = (amount.Bands ?? []).Select(b =>
        {
            var (n, dd) = Ratio(b.RatePercent, where);
            return new RateBand(b.UpToWan is { } w ? Wan(w) : null, n, dd);
        }).ToList();
        if (bands.Count == 0 || bands[^1].UpTo is not null) throw new InvalidDataException(where("bands must end with an open band"));
        for (var i = 1; i < bands.Count - 1; i++)
        {
            if (bands[i].UpTo <= bands[i - 1].UpTo) throw new InvalidDataException(where("band limits must ascend"));
        }
        return new AmountRule.Bands(amount.Base, bands);
    }

    /// <summary>"1.5" percent → 15/1000, exactly.</summary>
    internal static (long Numerator, long Denominator) Ratio(string? percent, Func<string, string> where)
    {
        if (!decimal.TryParse(percent, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p) || p <= 0 || p > 100)
        {
            throw new InvalidDataException(where($"has a bad ratePercent '{percent}'"));
        }
        long denominator = 100;
        while (decimal.Truncate(p) != p) { p *= 10; denominator *= 10; }
        return ((long)p, denominator);
    }

    private static IReadOnlyList<EnterpriseTier> Tiers(IReadOnlyList<string>? names, Func<string, string> where) =>
        (names ?? []).Select(n => Enum.TryParse<EnterpriseTier>(n, out var t) && Enum.IsDefined(t) ? t : throw new InvalidDataException(where($"names unknown tier '{n}'"))).ToList();

    private static DateOnly? Date(string? text, Func<string, string> where) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new InvalidDataException(where($"has a bad date '{text}'"));

    private static Fen Wan(long wan) => Fen.FromWan(wan);

    private sealed record CatalogueDto(IReadOnlyList<PolicyDto>? Policies);

    private sealed record PolicyDto(
        string Id, int Version, string? NameZh, string? NameEn, string? Document, string Src, string? Mode, string? Beneficiary,
        TriggerDto? Trigger, WindowDto? Window, IReadOnlyList<string>? SubjectTiers, Dictionary<string, long>? InputMinimums,
        IReadOnlyList<string>? RequiredInputs, AmountDto? Amount, long? PerItemWan, IReadOnlyList<CapDto>? Caps,
        IReadOnlyList<string>? OncePer, BudgetDto? Budget);

    private sealed record TriggerDto(string? Fact, IReadOnlyList<string>? Tiers, bool? Renewal, string? RiskScheme);

    private sealed record WindowDto(string? From, string? To, string? Basis, bool FromIllustrative, bool ToIllustrative, string? FromNote);

    private sealed record AmountDto(string? Kind, long? Wan, string? Base, string? RatePercent, IReadOnlyList<BandDto>? Bands);

    private sealed record BandDto(long? UpToWan, string? RatePercent);

    private sealed record CapDto(string? Ledger, string? Scope, string? Period, long? LimitWan);

    private sealed record BudgetDto(long? AnnualWan, bool? Illustrative);
}
