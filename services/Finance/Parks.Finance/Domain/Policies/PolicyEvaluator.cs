using System.Globalization;
using Parks.Domain;

namespace Parks.Finance.Domain.Policies;

/// <summary>Who receives a payout: an enterprise or incubator by its credit code, an institution by its id.</summary>
internal readonly record struct Beneficiary(BeneficiaryKind Kind, string Id)
{
    public string Key => $"{Kind.ToString().ToLowerInvariant()}:{Id}";

    public override string ToString() => Key;
}

/// <summary>
/// One case to evaluate under a policy: who benefits, which enterprise it is about, the qualifying dates and the
/// named inputs (amounts in fen, dates as yyyy-MM-dd, codes). Everything the computation reads is in here.
/// </summary>
internal sealed record PayoutCase(
    Beneficiary Beneficiary,
    string? Subject,
    DateOnly FactDate,
    DateOnly? RegistrationDate,
    DateOnly DecisionDate,
    IReadOnlyList<EnterpriseTier> SubjectTiers,
    IReadOnlyDictionary<string, string> Inputs);

internal sealed record ComputationStep(string Description, long AmountFen);

/// <summary>
/// The computation shown with a payout: the rule version, every input it read (including the ledger totals
/// before this payout), each step, and the amounts before and after caps. <see cref="PolicyEvaluator.Recompute"/>
/// reproduces it from <see cref="Inputs"/> alone.
/// </summary>
internal sealed record Computation(
    string RuleVersion,
    IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyList<ComputationStep> Steps,
    Fen Uncapped,
    Fen Amount,
    IReadOnlyList<string> CapsApplied);

/// <summary>A ledger a payout adds to, with the key it is kept under and what it held before.</summary>
internal sealed record LedgerEntry(Cap Cap, string LedgerId, Fen TotalBefore);

/// <summary>Checks a case against a policy and computes the payout. Pure: no clock, no storage.</summary>
internal static class PolicyEvaluator
{
    /// <summary>The ledger ids a case touches under a policy (what storage must read before evaluating).</summary>
    public static IReadOnlyList<(Cap Cap, string LedgerId)> LedgersFor(Policy policy, Beneficiary beneficiary, string? subject, DateOnly decisionDate) =>
        policy.Caps.Select(cap => (cap, LedgerId(cap, beneficiary, subject, decisionDate))).ToList();

    public static string LedgerId(Cap cap, Beneficiary beneficiary, string? subject, DateOnly decisionDate)
    {
        var owner = cap.Scope == CapScope.Beneficiary
            ? beneficiary.Key
            : "subject:" + (subject ?? throw new InvalidOperationException($"ledger '{cap.Ledger}' is per subject but the case has none"));
        return cap.Period == CapPeriod.Year
            ? $"{cap.Ledger}|{owner}|{decisionDate.Year.ToString(CultureInfo.InvariantCulture)}"
            : $"{cap.Ledger}|{owner}";
    }

    /// <summary>The key that makes a payout happen once: the policy plus the case's "once per" inputs.</summary>
    public static string ClaimKey(Policy policy, PayoutCase c)
    {
        var parts = policy.OncePer.Select(name => name switch
        {
            PayoutInputs.Subject => c.Subject ?? throw new ValidationException("subject", $"policy '{policy.Id}' pays once per enterprise and needs one"),
            PayoutInputs.Beneficiary => c.Beneficiary.Key,
            _ => c.Inputs.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : throw new ValidationException($"inputs.{name}", "is required"),
        });
        return policy.Id + "|" + string.Join("|", parts);
    }

    /// <summary>
    /// Checks eligibility (window, tiers, minimums, inputs) and computes the amount with caps, given the ledger totals
    /// before this payout. Throws FailedPrecondition for an ineligible case, Validation for bad inputs and OutOfRange
    /// for a requested amount beyond a cap.
    /// </summary>
    public static Computation Evaluate(Policy policy, PayoutCase c, IReadOnlyList<LedgerEntry> ledgers)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in c.Inputs) inputs[k] = v.Trim();
        inputs[PayoutInputs.Beneficiary] = c.Beneficiary.Key;
        if (c.Subject is not null) inputs[PayoutInputs.Subject] = c.Subject;
        inputs[PayoutInputs.FactDate] = Format(c.FactDate);
        if (c.RegistrationDate is { } reg) inputs[PayoutInputs.RegistrationDate] = Format(reg);
        inputs[PayoutInputs.DecisionDate] = Format(c.DecisionDate);
        if (policy.SubjectTiers.Count > 0) inputs["subject_tiers"] = string.Join(",", c.SubjectTiers.Order().Select(t => t.ToString()));
        foreach (var l in ledgers) inputs[LedgerInputName(l.LedgerId)] = l.TotalBefore.Value.ToString(CultureInfo.InvariantCulture);

        return Recompute(policy, inputs);
    }

    /// <summary>Recomputes a payout from its stored inputs and its policy version: the same inputs give the same result.</summary>
    public static Computation Recompute(Policy policy, IReadOnlyDictionary<string, string> inputs)
    {
        var steps = new List<ComputationStep>();
        CheckEligibility(policy, inputs, steps);

        var uncapped = ComputeAmount(policy, inputs, steps);
        var amount = uncapped;
        var applied = new List<string>();

        if (policy.PerItemCap is { } perItem && amount > perItem)
        {
            if (policy.Amount is AmountRule.Requested)
            {
                throw new OutOfRangeException("requested_fen", $"requested {Wan(amount)} exceeds the per-item cap of {Wan(perItem)} of policy '{policy.Id}' ({policy.Source})");
            }
            amount = perItem;
            applied.Add($"per-item cap {Wan(perItem)}");
            steps.Add(new ComputationStep($"capped at {Wan(perItem)} per item", amount.Value));
        }

        var beneficiary = inputs[PayoutInputs.Beneficiary];
        inputs.TryGetValue(PayoutInputs.Subject, out var subject);
        var decision = ParseDate(inputs, PayoutInputs.DecisionDate);
        foreach (var cap in policy.Caps.Where(c => c.Limit is not null))
        {
            var ledgerId = LedgerId(cap, ParseBeneficiary(beneficiary), subject, decision);
            var before = new Fen(ParseLong(inputs, LedgerInputName(ledgerId)));
            var remaining = Fen.Max(Fen.Zero, cap.Limit!.Value - before);
            var what = $"{(cap.Period == CapPeriod.Year ? $"{decision.Year} " : "cumulative ")}cap {Wan(cap.Limit.Value)} per {(cap.Scope == CapScope.Beneficiary ? "beneficiary" : "enterprise")} ({cap.Ledger})";
            if (amount <= remaining) continue;
            if (policy.Amount is AmountRule.Requested)
            {
                throw new OutOfRangeException("requested_fen",
                    $"requested {Wan(amount)} exceeds what remains under the {what}: {Wan(cap.Limit.Value)} − {Wan(before)} already granted = {Wan(remaining)}");
            }
            amount = remaining;
            applied.Add(what);
            steps.Add(new ComputationStep($"{what}: {Wan(before)} already granted, {Wan(remaining)} remains", amount.Value));
        }

        if (amount.Value <= 0)
        {
            throw new FailedPreconditionException("CAP_EXHAUSTED", policy.Name,
                $"nothing remains to pay under policy '{policy.Id}': {string.Join("; ", applied)}");
        }
        return new Computation(policy.RuleVersion, inputs, steps, uncapped, amount, applied);
    }

    /// <summary>The input name that records a ledger's total before the payout, e.g. "ledger:equity-reward|fundmanager:abc".</summary>
    public static string LedgerInputName(string ledgerId) => "ledger:" + ledgerId;

    private static void CheckEligibility(Policy policy, IReadOnlyDictionary<string, string> inputs, List<ComputationStep> steps)
    {
        var v = new Validator();
        foreach (var name in policy.NeededInputs())
        {
            if (!inputs.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value)) v.Add($"inputs.{name}", $"is required by policy '{policy.Id}'");
        }
        v.ThrowIfInvalid();

        var basisName = policy.WindowBasis == WindowBasis.RegistrationDate ? PayoutInputs.RegistrationDate : PayoutInputs.FactDate;
        if (!inputs.ContainsKey(basisName))
        {
            throw new FailedPreconditionException("REGISTRATION_UNKNOWN", policy.Name,
                $"policy '{policy.Id}' depends on the enterprise's registration date, which is not known yet");
        }
        var basis = ParseDate(inputs, basisName);
        var basisLabel = policy.WindowBasis == WindowBasis.RegistrationDate ? "registration date" : "qualifying date";
        if (!policy.Window.Contains(basis))
        {
            throw new FailedPreconditionException("POLICY_WINDOW", policy.Name,
                $"{basisLabel} {Format(basis)} is outside the window of policy '{policy.Id}' ({policy.Window}, {policy.Source})");
        }
        steps.Add(new ComputationStep($"{basisLabel} {Format(basis)} within the window {policy.Window}{(policy.WindowIllustrative ? " (window partly illustrative)" : "")}", 0));

        if (policy.WindowBasis == WindowBasis.RegistrationDate && ParseDate(inputs, PayoutInputs.FactDate) < basis)
        {
            throw new FailedPreconditionException("FACT_BEFORE_REGISTRATION", policy.Name, "the qualifying certification precedes the enterprise's registration");
        }

        if (policy.SubjectTiers.Count > 0)
        {
            var held = inputs.TryGetValue("subject_tiers", out var t) && t.Length > 0
                ? t.Split(',').Select(Enum.Parse<EnterpriseTier>).ToHashSet()
                : [];
            var match = policy.SubjectTiers.FirstOrDefault(held.Contains);
            if (match == default)
            {
                throw new FailedPreconditionException("SUBJECT_NOT_ELIGIBLE", policy.Name,
                    $"enterprise {inputs.GetValueOrDefault(PayoutInputs.Subject)} holds none of the tiers policy '{policy.Id}' requires " +
                    $"({string.Join(", ", policy.SubjectTiers.Select(x => x.Describe()))}) on {inputs[PayoutInputs.FactDate]}");
            }
            steps.Add(new ComputationStep($"enterprise holds {match.Describe()}", 0));
        }

        foreach (var (name, minimum) in policy.InputMinimums)
        {
            var value = ParseLong(inputs, name);
            if (value < minimum)
            {
                throw new FailedPreconditionException("BELOW_THRESHOLD", policy.Name,
                    $"{name} is {value.ToString(CultureInfo.InvariantCulture)}; policy '{policy.Id}' requires at least {minimum.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static Fen ComputeAmount(Policy policy, IReadOnlyDictionary<string, string> inputs, List<ComputationStep> steps)
    {
        switch (policy.Amount)
        {
            case AmountRule.Fixed f:
                steps.Add(new ComputationStep($"fixed amount {Wan(f.Amount)}", f.Amount.Value));
                return f.Amount;

            case AmountRule.Rate r:
            {
                var baseAmount = PositiveFen(inputs, r.BaseInput);
                var result = baseAmount.MultiplyRatio(r.Numerator, r.Denominator);
                steps.Add(new ComputationStep($"{r.BaseInput} {Wan(baseAmount)} × {Percent(r.Numerator, r.Denominator)} = {Wan(result)}", result.Value));
                return result;
            }

            case AmountRule.Bands b:
            {
                var baseAmount = PositiveFen(inputs, b.BaseInput);
                var total = Fen.Zero;
                var lower = Fen.Zero;
                foreach (var band in b.Tiers)
                {
                    if (baseAmount <= lower) break;
                    var upper = band.UpTo is { } up ? Fen.Min(up, baseAmount) : baseAmount;
                    var portion = upper - lower;
                    var part = portion.MultiplyRatio(band.Numerator, band.Denominator);
                    total += part;
                    var range = band.UpTo is { } u ? $"{Wan(lower)}–{Wan(u)}" : $"above {Wan(lower)}";
                    steps.Add(new ComputationStep($"portion {range}: {Wan(portion)} × {Percent(band.Numerator, band.Denominator)} = {Wan(part)}", part.Value));
                    if (band.UpTo is null) break;
                    lower = band.UpTo.Value;
                }
                steps.Add(new ComputationStep($"sum of portions = {Wan(total)}", total.Value));
                return total;
            }

            case AmountRule.Requested:
            {
                var requested = PositiveFen(inputs, PayoutInputs.RequestedFen);
                steps.Add(new ComputationStep($"requested {Wan(requested)}", requested.Value));
                return requested;
            }

            default:
                throw new InvalidOperationException($"unknown amount rule {policy.Amount}");
        }
    }

    private static Fen PositiveFen(IReadOnlyDictionary<string, string> inputs, string name)
    {
        var value = ParseLong(inputs, name);
        if (value <= 0) throw new ValidationException($"inputs.{name}", $"must be a positive amount in fen (got {value.ToString(CultureInfo.InvariantCulture)})");
        return new Fen(value);
    }

    private static long ParseLong(IReadOnlyDictionary<string, string> inputs, string name)
    {
        if (!inputs.TryGetValue(name, out var text)) throw new ValidationException($"inputs.{name}", "is required");
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ValidationException($"inputs.{name}", $"must be an integer (got '{text}')");
    }

    private static DateOnly ParseDate(IReadOnlyDictionary<string, string> inputs, string name) =>
        inputs.TryGetValue(name, out var text) && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ValidationException($"inputs.{name}", $"must be a date yyyy-MM-dd (got '{text}')");

    private static Beneficiary ParseBeneficiary(string key)
    {
        var colon = key.IndexOf(':');
        return new Beneficiary(Enum.Parse<BeneficiaryKind>(key[..colon], ignoreCase: true), key[(colon + 1)..]);
    }

    private static string Format(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An amount as the documents write it: in 万元 when exact, otherwise in yuan.</summary>
    public static string Wan(Fen amount) =>
        amount.Value % Fen.PerWan == 0
            ? $"{(amount.Value / Fen.PerWan).ToString(CultureInfo.InvariantCulture)}万"
            : $"{amount.ToYuanString()}元";

    private static string Percent(long numerator, long denominator) =>
        (numerator * 100m / denominator).ToString("0.####", CultureInfo.InvariantCulture) + "%";
}
