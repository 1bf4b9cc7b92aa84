using Parks.Domain;

namespace Parks.Finance.Domain.Institutions;

/// <summary>The nine kinds of financial and financial-service institution the zone counts (000:152).</summary>
internal enum InstitutionKind
{
    Bank = 1,                // 银行机构
    Insurance = 2,           // 保险类机构
    Securities = 3,          // 证券类机构
    Futures = 4,             // 期货类机构
    FinancingGuarantee = 5,  // 融资担保公司
    Microcredit = 6,         // 小额贷款公司
    FinancialLeasing = 7,    // 融资租赁公司
    Exchange = 8,            // 权益类及大宗商品类交易场所
    Investment = 9,          // 创业投资等各类投资机构
}

internal sealed record InstitutionDraft(
    string DisplayName,
    InstitutionKind Kind,
    string? Uscc,
    bool LocalLegalEntityOrBranch,
    string? Note,
    IReadOnlyList<string> PartnerProducts,
    string? Source);

/// <summary>
/// A financial institution of the zone: a bank (partner banks of the loan products), insurer, guarantor, fund
/// manager, .... "Local legal entity or locally registered branch" is a condition of some city subsidies (002:223).
/// </summary>
internal sealed record FinancialInstitution(
    string Id,
    string DisplayName,
    InstitutionKind Kind,
    string? Uscc,
    bool LocalLegalEntityOrBranch,
    string? Note,
    IReadOnlyList<string> PartnerProducts,
    string? Source,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "institutions";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static FinancialInstitution Create(string id, InstitutionDraft d, IReadOnlySet<string> knownProducts, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("institution_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        Validate(v, d.DisplayName, d.Kind, d.Uscc, d.PartnerProducts, knownProducts);
        v.ThrowIfInvalid();
        return new FinancialInstitution(id, d.DisplayName.Trim(), d.Kind, NullIfEmpty(d.Uscc), d.LocalLegalEntityOrBranch, NullIfEmpty(d.Note),
            d.PartnerProducts.Distinct().Order(StringComparer.Ordinal).ToList(), d.Source, now, now);
    }

    public FinancialInstitution Update(string? displayName, string? note, bool? local, IReadOnlyList<string>? partnerProducts, IReadOnlySet<string> knownProducts, DateTimeOffset now)
    {
        var next = this with
        {
            DisplayName = displayName?.Trim() ?? DisplayName,
            Note = note is null ? Note : NullIfEmpty(note),
            LocalLegalEntityOrBranch = local ?? LocalLegalEntityOrBranch,
            PartnerProducts = partnerProducts?.Distinct().Order(StringComparer.Ordinal).ToList() ?? PartnerProducts,
            UpdateTime = now,
        };
        var v = new Validator();
        Validate(v, next.DisplayName, next.Kind, next.Uscc, next.PartnerProducts, knownProducts);
        v.ThrowIfInvalid();
        return next;
    }

    /// <summary>Requires this institution to be of <paramref name="kind"/> (e.g. the guarantor of a guarantee loan).</summary>
    public FinancialInstitution RequireKind(InstitutionKind kind, string role)
    {
        if (Kind != kind)
        {
            throw new FailedPreconditionException("INSTITUTION_KIND", Name, $"{role} must be a {kind} institution; '{DisplayName}' is {Kind}");
        }
        return this;
    }

    private static void Validate(Validator v, string displayName, InstitutionKind kind, string? uscc, IReadOnlyList<string> partnerProducts, IReadOnlySet<string> knownProducts)
    {
        v.RequireText(displayName, "display_name");
        v.Require(Enum.IsDefined(kind), "kind", "is required");
        if (!string.IsNullOrEmpty(uscc) && !UnifiedSocialCreditCode.TryParse(uscc, out _, out var reason)) v.Add("uscc", $"invalid unified social credit code: {reason}");
        for (var i = 0; i < partnerProducts.Count; i++)
        {
            if (!knownProducts.Contains(partnerProducts[i])) v.Add($"partner_products[{i}]", $"'{partnerProducts[i]}' is not a loan product");
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>The zone's institution counts by kind at a year end (141 at the end of 2023, 000:152): a baseline, not records.</summary>
internal sealed record InstitutionBaseline(int Year, int Total, IReadOnlyDictionary<InstitutionKind, int> ByKind, string Source);
