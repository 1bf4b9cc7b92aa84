using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Funds;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Loans;
using Parks.Finance.Domain.Policies;
using Parks.Rpc.Mapping;
using Parks.Storage;
using CommonV1 = Parks.Common.V1;
using V1 = Parks.Finance.V1;

namespace Parks.Finance.Rpc;

internal static class FinanceMapping
{
    public static V1.Institution ToProto(this Versioned<FinancialInstitution> v)
    {
        var i = v.Value;
        var message = new V1.Institution
        {
            Name = i.Name,
            DisplayName = i.DisplayName,
            Kind = (V1.InstitutionKind)i.Kind,
            Uscc = i.Uscc ?? "",
            LocalLegalEntityOrBranch = i.LocalLegalEntityOrBranch,
            Note = i.Note ?? "",
            Source = i.Source ?? "",
            CreateTime = i.CreateTime.ToProto(),
            UpdateTime = i.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.PartnerProducts.AddRange(i.PartnerProducts.Select(LoanProduct.NameOf));
        return message;
    }

    public static V1.Fund ToProto(this Versioned<Fund> v, Fen subFundSocial)
    {
        var f = v.Value;
        // The mother fund levers what its sub-funds raise (or the reported figure); a sub-fund its own social commitment.
        var government = f.Role == FundRole.Mother ? Fen.Max(f.PaidIn, f.GovernmentCommitted) : f.GovernmentCommitted;
        var social = f.Role == FundRole.Mother ? Fen.Max(subFundSocial, f.LeveragedSocialCapitalReported ?? Fen.Zero) : f.SocialCommitted;
        return new V1.Fund
        {
            Name = f.Name,
            DisplayName = f.DisplayName,
            Role = (V1.FundRole)f.Role,
            ParentFund = f.ParentFund ?? "",
            Stage = (V1.FundStage)f.Stage,
            Status = (V1.FundStatus)f.Status,
            Manager = f.Manager ?? "",
            GovernmentCommittedFen = f.GovernmentCommitted.Value,
            SocialCommittedFen = f.SocialCommitted.Value,
            PaidInFen = f.PaidIn.Value,
            LeveragedSocialCapitalReportedFen = f.LeveragedSocialCapitalReported?.Value ?? 0,
            SubFundSocialCommittedFen = subFundSocial.Value,
            LeverageBasisPoints = Fund.LeverageBasisPoints(government, social),
            Source = f.Source ?? "",
            CreateTime = f.CreateTime.ToProto(),
            UpdateTime = f.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
    }

    public static V1.LoanProduct ToProto(this LoanProduct p)
    {
        var message = new V1.LoanProduct
        {
            Name = p.Name,
            DisplayNameZh = p.NameZh,
            DisplayNameEn = p.NameEn,
            RiskScheme = (V1.RiskScheme)p.RiskScheme,
            MinCentipoints = p.Eligibility.MinCentipoints ?? 0,
            PointsMaxAgeYears = p.Eligibility.PointsMaxAgeYears,
            MaxCreditLineFen = p.MaxCreditLine.Value,
            MaxTermMonths = p.MaxTermMonths,
            Illustrative = p.Eligibility.Illustrative || p.LimitsIllustrative,
            Source = p.Source,
        };
        message.EligibleTiers.AddRange(p.Eligibility.AnyOfTiers.Select(t => (CommonV1.EnterpriseTier)t));
        return message;
    }

    public static V1.LoanApplication ToProto(this Versioned<LoanApplication> v)
    {
        var l = v.Value;
        var message = new V1.LoanApplication
        {
            Name = l.Name,
            Uscc = l.Uscc,
            Unit = l.Unit.ResourceName,
            Product = LoanProduct.NameOf(l.Product),
            Bank = FinancialInstitution.NameOf(l.Bank),
            RiskPartner = l.RiskPartner is { } p ? FinancialInstitution.NameOf(p) : "",
            RiskScheme = (V1.RiskScheme)l.RiskScheme,
            RequestedFen = l.Requested.Value,
            TermMonths = l.TermMonths,
            Purpose = l.Purpose,
            Eligibility = new V1.EligibilitySnapshot
            {
                CheckedOn = l.Eligibility.CheckedOn.ToProto(),
                PointsYear = l.Eligibility.PointsYear ?? 0,
                Centipoints = l.Eligibility.Centipoints ?? 0,
                Rule = l.Eligibility.Rule,
            },
            Status = (V1.LoanStatus)l.Status,
            CreditLineFen = l.CreditLine?.Value ?? 0,
            ApprovedBy = l.ApprovedBy ?? "",
            DeclineReason = l.DeclineReason ?? "",
            OutstandingFen = l.Outstanding.Value,
            Loss = l.Loss is { } loss ? new V1.VerifiedLoss { Date = loss.Date.ToProto(), AmountFen = loss.Amount.Value, VerifiedBy = loss.VerifiedBy, Compensation = loss.Compensation ?? "" } : null,
            CreateTime = l.CreateTime.ToProto(),
            UpdateTime = l.UpdateTime.ToProto(),
            Etag = v.Etag,
        };
        message.Eligibility.Tiers.AddRange(l.Eligibility.Tiers.Select(t => (CommonV1.EnterpriseTier)t));
        message.Disbursements.AddRange(l.Disbursements.Select(d => new V1.Disbursement { Date = d.Date.ToProto(), AmountFen = d.Amount.Value, Reference = d.Reference }));
        message.Repayments.AddRange(l.Repayments.Select(r => new V1.Repayment { Date = r.Date.ToProto(), AmountFen = r.Amount.Value }));
        return message;
    }

    public static V1.Policy ToProto(this Policy p)
    {
        var message = new V1.Policy
        {
            Name = p.Name,
            Version = p.Version,
            RuleVersion = p.RuleVersion,
            DisplayNameZh = p.NameZh,
            DisplayNameEn = p.NameEn,
            Document = p.Document,
            Source = p.Source,
            Mode = (V1.PayoutMode)p.Mode,
            BeneficiaryKind = (V1.BeneficiaryKind)p.Beneficiary,
            Trigger = p.Trigger is { } t ? Describe(t) : "",
            WindowStart = p.Window.From.ToProto(),
            WindowEnd = p.Window.To.ToProto(),
            WindowBasis = (V1.WindowBasis)p.WindowBasis,
            WindowIllustrative = p.WindowIllustrative,
            AmountRule = p.Amount switch
            {
                AmountRule.Fixed f => new V1.AmountRule { FixedFen = f.Amount.Value },
                AmountRule.Rate r => new V1.AmountRule { Rate = new V1.AmountRule.Types.Rate { BaseInput = r.BaseInput, Numerator = r.Numerator, Denominator = r.Denominator } },
                AmountRule.Bands b => new V1.AmountRule { Bands = Bands(b) },
                _ => new V1.AmountRule { Requested = true },
            },
            PerItemCapFen = p.PerItemCap?.Value ?? 0,
            AnnualBudgetFen = p.AnnualBudget?.Value ?? 0,
            BudgetIllustrative = p.BudgetIllustrative,
            Note = p.Note ?? "",
        };
        message.SubjectTiers.AddRange(p.SubjectTiers.Select(t => (CommonV1.EnterpriseTier)t));
        foreach (var (k, min) in p.InputMinimums) message.InputMinimums[k] = min;
        message.RequiredInputs.AddRange(p.RequiredInputs);
        message.Caps.AddRange(p.Caps.Select(c => new V1.Cap { Ledger = c.Ledger, Scope = (V1.CapScope)c.Scope, Period = (V1.CapPeriod)c.Period, LimitFen = c.Limit?.Value ?? 0 }));
        message.OncePer.AddRange(p.OncePer);
        return message;
    }

    private static V1.AmountRule.Types.Bands Bands(AmountRule.Bands b)
    {
        var bands = new V1.AmountRule.Types.Bands { BaseInput = b.BaseInput };
        bands.Bands_.AddRange(b.Tiers.Select(t => new V1.RateBand { UpToFen = t.UpTo?.Value ?? 0, Numerator = t.Numerator, Denominator = t.Denominator }));
        return bands;
    }

    private static string Describe(PolicyTrigger t) => t.Fact switch
    {
        FactKind.TierCertified => $"parks.events.v1.EnterpriseTierCertified tier in [{string.Join(", ", t.Tiers)}]" + (t.Renewal is { } r ? $", renewal = {(r ? "true" : "false")}" : ""),
        _ => $"loan loss verified, risk scheme {t.RiskScheme}",
    };

    public static V1.PolicyBudget ToProto(this Versioned<PolicyBudget> v) => new()
    {
        Name = v.Value.Name,
        Year = v.Value.Year,
        AllocatedFen = v.Value.Allocated.Value,
        CommittedFen = v.Value.Committed.Value,
        PaidFen = v.Value.Paid.Value,
        RemainingFen = v.Value.Remaining.Value,
        Illustrative = v.Value.Illustrative,
        Etag = v.Version == 0 ? "" : v.Etag,
    };

    public static V1.Computation ToProto(this Computation c)
    {
        var message = new V1.Computation { RuleVersion = c.RuleVersion, UncappedFen = c.Uncapped.Value, AmountFen = c.Amount.Value };
        foreach (var (k, value) in c.Inputs) message.Inputs[k] = value;
        message.Steps.AddRange(c.Steps.Select(s => new V1.ComputationStep { Description = s.Description, AmountFen = s.AmountFen }));
        message.CapsApplied.AddRange(c.CapsApplied);
        return message;
    }

    public static V1.Payout ToProto(this Versioned<Payout> v)
    {
        var p = v.Value;
        return new V1.Payout
        {
            Name = p.Name,
            Policy = p.Policy,
            RuleVersion = p.RuleVersion,
            Mode = (V1.PayoutMode)p.Mode,
            Beneficiary = new V1.Beneficiary { Kind = (V1.BeneficiaryKind)p.Beneficiary.Kind, Id = p.Beneficiary.Id },
            SubjectUscc = p.Subject ?? "",
            SubjectUnit = p.SubjectUnit?.ResourceName ?? "",
            Status = (V1.PayoutStatus)p.Status,
            AmountFen = p.Amount.Value,
            RequestedFen = p.RequestedAmount?.Value ?? 0,
            Computation = p.Computation?.ToProto(),
            FactDate = p.Case.FactDate.ToProto(),
            Trigger = p.Trigger ?? "",
            Evidence = p.Evidence ?? "",
            ReviewNote = p.ReviewNote ?? "",
            RejectionReason = p.RejectionReason ?? "",
            PaymentReference = p.PaymentReference ?? "",
            CreateTime = p.CreateTime.ToProto(),
            UpdateTime = p.UpdateTime.ToProto(),
            DecisionTime = p.DecisionTime.ToProto(),
            PaidTime = p.PaidTime.ToProto(),
            Etag = v.Etag,
        };
    }
}
