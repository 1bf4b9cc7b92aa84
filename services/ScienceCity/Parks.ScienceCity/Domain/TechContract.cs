using Parks.Domain;

namespace Parks.ScienceCity.Domain;

/// <summary>Technology contract types the documents name for results transfer (002:183: 技术开发、技术转让、专利实施许可).</summary>
internal enum TechContractType
{
    Development = 1,    // 技术开发
    Transfer = 2,       // 技术转让
    PatentLicence = 3,  // 专利实施许可
}

internal enum PartyKind
{
    University = 1,
    ResearchInstitute = 2,
    Enterprise = 3,
    Other = 4,
}

/// <summary>A party to a contract; enterprises are identified by their unified social credit code.</summary>
internal sealed record ContractParty(string DisplayName, PartyKind Kind, string? Uscc);

internal sealed record TechContractDraft(
    string RegistrationNumber,
    TechContractType Type,
    ContractParty Seller,
    ContractParty Buyer,
    Fen Value,
    DateOnly SignedDate,
    string? ResearchProject);

/// <summary>
/// A registered technology contract (技术合同): results transfer from the Science City's labs and institutes.
/// The 技术合同成交额 indicator (technology contract turnover) is the sum of their values.
/// </summary>
internal sealed record TechContract(
    string Id,
    string RegistrationNumber,
    TechContractType Type,
    ContractParty Seller,
    ContractParty Buyer,
    Fen Value,
    DateOnly SignedDate,
    string? ResearchProject,
    DateTimeOffset CreateTime)
{
    public const string Collection = "scienceCity/techContracts";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static TechContract Register(string id, TechContractDraft draft, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("tech_contract_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(draft.RegistrationNumber, "registration_number", 64);
        v.Require(Enum.IsDefined(draft.Type), "type", "is required (development, transfer or patent licence)");
        ValidateParty(v, draft.Seller, "seller");
        ValidateParty(v, draft.Buyer, "buyer");
        if (SameParty(draft.Seller, draft.Buyer)) v.Add("buyer", "must differ from the seller");
        v.Require(draft.Value.Value > 0, "value_fen", $"must be positive (got {draft.Value.Value})");
        v.Require(draft.SignedDate <= DateOnly.FromDateTime(now.UtcDateTime), "signed_date", "must not be in the future");
        v.Require(draft.SignedDate.Year >= 1990, "signed_date", "must be a real contract date");
        if (draft.ResearchProject is not null && !draft.ResearchProject.StartsWith(ResearchProjectPrefix, StringComparison.Ordinal))
        {
            v.Add("research_project", $"must be a research project resource name ({ResearchProjectPrefix}{{id}})");
        }
        v.ThrowIfInvalid();
        return new TechContract(id, draft.RegistrationNumber.Trim(), draft.Type, Clean(draft.Seller), Clean(draft.Buyer), draft.Value,
            draft.SignedDate, draft.ResearchProject, now);
    }

    private const string ResearchProjectPrefix = global::Parks.ScienceCity.Domain.ResearchProject.Collection + "/";

    private static void ValidateParty(Validator v, ContractParty party, string field)
    {
        v.RequireText(party.DisplayName, $"{field}.display_name");
        v.Require(Enum.IsDefined(party.Kind), $"{field}.kind", "is required");
        if (party.Kind == PartyKind.Enterprise && string.IsNullOrEmpty(party.Uscc))
        {
            v.Add($"{field}.uscc", "is required for an enterprise party");
        }
        else if (!string.IsNullOrEmpty(party.Uscc) && !UnifiedSocialCreditCode.TryParse(party.Uscc, out _, out var reason))
        {
            v.Add($"{field}.uscc", $"invalid unified social credit code: {reason}");
        }
    }

    private static bool SameParty(ContractParty a, ContractParty b) =>
        !string.IsNullOrEmpty(a.Uscc) ? a.Uscc == b.Uscc : string.Equals(a.DisplayName?.Trim(), b.DisplayName?.Trim(), StringComparison.Ordinal);

    private static ContractParty Clean(ContractParty p) => p with { DisplayName = p.DisplayName.Trim(), Uscc = string.IsNullOrEmpty(p.Uscc) ? null : p.Uscc };
}

/// <summary>
/// The running 技术合同成交额 (technology contract turnover) of one calendar year of signing: the sum of the
/// values of the contracts registered here, kept with the contracts in the same commit so it never drifts.
/// </summary>
internal sealed record TechContractTurnover(int Year, Fen Total, int ContractCount)
{
    public static TechContractTurnover Empty(int year) => new(year, Fen.Zero, 0);

    public TechContractTurnover Add(TechContract contract)
    {
        if (contract.SignedDate.Year != Year) throw new InvalidOperationException($"contract signed in {contract.SignedDate.Year} added to {Year}");
        return this with { Total = Total + contract.Value, ContractCount = ContractCount + 1 };
    }
}
