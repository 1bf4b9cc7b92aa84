using System.Globalization;
using System.Text.Json;
using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Funds;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Loans;

namespace Parks.Finance.Data;

/// <summary>The finance service's seed data (Data/*.json), parsed and checked. Loading the same seed twice changes nothing.</summary>
internal sealed class FinanceSeed
{
    public required IReadOnlyList<LoanProduct> LoanProducts { get; init; }
    public required InstitutionBaseline InstitutionBaseline { get; init; }
    public required IReadOnlyList<InstitutionDraftWithId> Institutions { get; init; }
    public required IReadOnlyList<FundDraftWithId> Funds { get; init; }

    internal sealed record InstitutionDraftWithId(string Id, InstitutionDraft Draft);

    internal sealed record FundDraftWithId(string Id, FundDraft Draft);

    public LoanProduct GetProduct(string id) =>
        LoanProducts.FirstOrDefault(p => p.Id == id) ?? throw new NotFoundException("LoanProduct", LoanProduct.NameOf(id));

    public static FinanceSeed LoadEmbedded() => Load(SeedResources.Read("loan-products.json"), SeedResources.Read("institutions.json"), SeedResources.Read("funds.json"));

    public static FinanceSeed Load(string loanProductsJson, string institutionsJson, string fundsJson)
    {
        var products = (Parse<ProductsDto>(loanProductsJson).Products ?? []).Select(ToProduct).ToList();
        var productIds = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);

        var inst = Parse<InstitutionsDto>(institutionsJson);
        var b = inst.Baseline ?? throw new InvalidDataException("institutions.json: no baseline");
        var byKind = b.Kinds.ToDictionary(k => Enum.Parse<InstitutionKind>(k.Key), k => k.Value);
        if (byKind.Values.Sum() != b.Total) throw new InvalidDataException($"institutions.json: kinds add up to {byKind.Values.Sum()}, not the stated total {b.Total}");
        var institutions = (inst.Named ?? []).Select(n =>
        {
            var draft = new InstitutionDraft(n.DisplayName, Enum.Parse<InstitutionKind>(n.Kind), n.Uscc, n.LocalLegalEntityOrBranch, n.Note, n.PartnerProducts ?? [], n.Src);
            foreach (var p in draft.PartnerProducts)
            {
                if (!productIds.Contains(p)) throw new InvalidDataException($"institutions.json: '{n.Id}' partners unknown product '{p}'");
            }
            return new InstitutionDraftWithId(n.Id, draft);
        }).ToList();

        var funds = (Parse<FundsDto>(fundsJson).Funds ?? []).Select(f => new FundDraftWithId(f.Id, new FundDraft(
            f.DisplayName, Enum.Parse<FundRole>(f.Role), f.Parent is null ? null : Fund.NameOf(f.Parent), Enum.Parse<FundStage>(f.Stage), Enum.Parse<FundStatus>(f.Status),
            null, Fen.Zero, Fen.Zero, f.PaidInYi is { } paid ? Fen.FromYi(paid) : Fen.Zero,
            f.LeveragedSocialCapitalYi is { } lev ? Fen.FromYi(lev) : null, f.Src))).ToList();

        return new FinanceSeed
        {
            LoanProducts = products,
            InstitutionBaseline = new InstitutionBaseline(b.Year, b.Total, byKind, b.Src),
            Institutions = institutions,
            Funds = funds,
        };
    }

    private static LoanProduct ToProduct(ProductDto d)
    {
        var scheme = d.RiskScheme switch
        {
            "bank-credit" => RiskScheme.BankCredit,
            "insurance" => RiskScheme.Insurance,
            "guarantee" => RiskScheme.Guarantee,
            _ => throw new InvalidDataException($"loan-products.json: '{d.Id}' has unknown risk scheme '{d.RiskScheme}'"),
        };
        var e = d.Eligibility ?? throw new InvalidDataException($"loan-products.json: '{d.Id}' has no eligibility");
        var tiers = (e.AnyOfTiers ?? []).Select(Enum.Parse<EnterpriseTier>).ToList();
        long? minCentipoints = e.MinPoints is { } pts ? (long)decimal.Round(pts * 100m) : null;
        return new LoanProduct(d.Id, d.NameZh, d.NameEn, scheme, new LoanEligibility(tiers, minCentipoints, e.PointsMaxAgeYears, e.Illustrative),
            Fen.FromWan(d.MaxCreditLineWan), d.MaxTermMonths, d.LimitsIllustrative, d.Src);
    }

    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, SeedResources.JsonOptions) ?? throw new InvalidDataException($"empty seed for {typeof(T).Name}");

    private sealed record ProductsDto(IReadOnlyList<ProductDto>? Products);

    private sealed record ProductDto(string Id, string NameZh, string NameEn, string Src, string RiskScheme, EligibilityDto? Eligibility,
        long MaxCreditLineWan, int MaxTermMonths, bool LimitsIllustrative);

    private sealed record EligibilityDto(IReadOnlyList<string>? AnyOfTiers, decimal? MinPoints, int PointsMaxAgeYears, bool Illustrative);

    private sealed record InstitutionsDto(BaselineDto? Baseline, IReadOnlyList<NamedInstitutionDto>? Named);

    private sealed record BaselineDto(int Year, int Total, string Src, Dictionary<string, int> Kinds);

    private sealed record NamedInstitutionDto(string Id, string DisplayName, string Kind, string? Uscc, bool LocalLegalEntityOrBranch,
        IReadOnlyList<string>? PartnerProducts, string? Note, string Src);

    private sealed record FundsDto(IReadOnlyList<FundDto>? Funds);

    private sealed record FundDto(string Id, string DisplayName, string Role, string? Parent, string Stage, string Status,
        long? PaidInYi, long? LeveragedSocialCapitalYi, string Src);
}
