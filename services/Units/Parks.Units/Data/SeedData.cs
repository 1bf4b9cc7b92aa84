using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parks.Domain;
using Parks.Units.Domain;

namespace Parks.Units.Data;

/// <summary>
/// The real figures and reference data copied from the policy documents into Data/*.json (embedded in the
/// assembly, each figure with its <c>src</c> citation). Read once per process; never mixed with demo data.
/// </summary>
public static class SeedData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        AllowTrailingCommas = false,
    };

    private static readonly ConcurrentDictionary<string, object> Cache = new(StringComparer.Ordinal);

    public static IReadOnlyList<DistrictProfile> Districts => Load("districts.json", (DistrictsFile f) =>
        (IReadOnlyList<DistrictProfile>)[.. f.Districts.Select(d => new DistrictProfile
        {
            Id = d.Id,
            NameZh = d.NameZh,
            NameEn = d.NameEn,
            FullNameZh = d.FullNameZh,
            PositioningZh = d.PositioningZh,
            PositioningEn = d.PositioningEn,
            PositioningSrc = d.PositioningSrc,
            PositioningVariants = d.PositioningVariants,
            IsOneOfZoneStreets = d.IsOneOfZoneStreets,
            StreetNote = d.StreetNote,
            IndustryIds = d.IndustryIds,
            NamedCarriers = d.NamedCarriers,
        })]);

    public static string DistrictsNote => Load("districts.json", (DistrictsFile f) => f.Note);

    /// <summary>The five branch parks of the documents (000:152, 001:61).</summary>
    public static IReadOnlyList<BranchPark> BranchParks => Load("branch-parks.json", (BranchParksFile f) =>
        (IReadOnlyList<BranchPark>)[.. f.BranchParks.Select(p => new BranchPark
        {
            Id = p.Id,
            NameZh = p.NameZh,
            NameEn = p.NameEn,
            NameVariants = p.NameVariants,
            AreaFacts = p.AreaFacts,
            Src = p.Src,
            CreateTime = DateTimeOffset.UnixEpoch,
        })]);

    public static SourcedText BranchParksPurpose => Load("branch-parks.json", (BranchParksFile f) => f.Purpose);

    public static IndustryCatalog Industries => Load("industries.json", (IndustriesFile f) =>
        new IndustryCatalog(f.Industries.Select(i => new Industry(i.Id, i.NameZh, i.NameEn, i.Role, i.Src))));

    public static IndicatorCatalog Indicators => Load("indicators.json", (IndicatorsFile f) =>
        new IndicatorCatalog(f.Definitions.Select(d => new IndicatorDefinition(
            d.Id, d.NameZh, d.NameEn, d.Unit, d.Integer, d.Min, d.Max, d.AnnualOnly, d.AppliesTo, d.Scope, d.Src))));

    /// <summary>The real observations that belong to <paramref name="unit"/> (none for a district: the documents give none).</summary>
    public static IReadOnlyList<Observation> ObservationsFor(UnitRef unit) =>
        [.. Load("indicators.json", (IndicatorsFile f) => (IReadOnlyList<ObservationRow>)f.Observations)
            .Where(o => o.Unit == unit.ResourceName)
            .Select(o => new Observation
            {
                Unit = unit,
                Indicator = o.Indicator,
                Period = o.Period,
                Kind = o.Kind,
                Breakdown = o.Breakdown,
                AmountFen = o.AmountFen,
                Quantity = o.Quantity,
                UnitOfMeasure = Indicators.Find(o.Indicator)!.Unit,
                Qualifier = o.Qualifier,
                Note = o.Note ?? (o.StatedValue is null ? null : $"stated as {o.StatedValue}"),
                Src = o.Src,
                Scope = Indicators.Find(o.Indicator)!.Scope,
                ReportTime = DateTimeOffset.UnixEpoch,
            })];

    public static int ObservationCount => Load("indicators.json", (IndicatorsFile f) => f.Observations.Count);

    public static InnovationPointsModels InnovationPointsModels => Load("innovation-points-models.json", (ModelsFile f) =>
        new InnovationPointsModels(f.Models, f.Current));

    /// <summary>The ladder as the data file states it: tier, order (rung), Chinese name.</summary>
    public static IReadOnlyList<(EnterpriseTier Tier, int Order, string NameZh)> Ladder => Load("tiers.json", (TiersFile f) =>
        (IReadOnlyList<(EnterpriseTier, int, string)>)[.. f.Ladder.Select(l => (l.Tier, l.Order, l.NameZh))]);

    /// <summary>A policy fact by id (amounts in fen), so the rules' constants can be checked against the data.</summary>
    public static PolicyFact PolicyFact(string id) => Load("policy-facts.json", (PolicyFactsFile f) => f.Facts)
        .FirstOrDefault(p => p.Id == id) ?? throw new KeyNotFoundException($"policy fact '{id}' is not in Data/policy-facts.json");

    private static T Load<TFile, T>(string file, Func<TFile, T> select) where T : notnull =>
        (T)Cache.GetOrAdd($"{file}|{typeof(T).FullName}", _ => select(Read<TFile>(file)));

    private static TFile Read<TFile>(string file)
    {
        var name = $"Parks.Units.Data.{file}";
        using var stream = typeof(SeedData).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded seed data {name} is missing from the assembly");
        return JsonSerializer.Deserialize<TFile>(stream, Json) ?? throw new InvalidOperationException($"seed data {file} is empty");
    }

    private sealed record DistrictsFile(string Note, IReadOnlyList<DistrictRow> Districts);

    private sealed record DistrictRow(
        string Id, string NameZh, string NameEn, string FullNameZh, string PositioningZh, string PositioningEn,
        IReadOnlyList<string> PositioningSrc, IReadOnlyList<SourcedText> PositioningVariants, bool IsOneOfZoneStreets,
        SourcedText StreetNote, IReadOnlyList<string> IndustryIds, IReadOnlyList<SourcedText> NamedCarriers);

    private sealed record BranchParksFile(SourcedText Purpose, IReadOnlyList<BranchParkRow> BranchParks);

    private sealed record BranchParkRow(
        string Id, string NameZh, string NameEn, IReadOnlyList<string> Src, IReadOnlyList<SourcedText> NameVariants, IReadOnlyList<SourcedText> AreaFacts);

    private sealed record IndustriesFile(IReadOnlyList<IndustryRow> Industries);

    private sealed record IndustryRow(string Id, string NameZh, string NameEn, string Role, IReadOnlyList<string> Src);

    private sealed record IndicatorsFile(IReadOnlyList<DefinitionRow> Definitions, IReadOnlyList<ObservationRow> Observations);

    private sealed record DefinitionRow(
        string Id, string NameZh, string NameEn, string Unit, bool Integer, double? Min, double? Max, bool AnnualOnly,
        IReadOnlyList<string>? AppliesTo, string? Scope, IReadOnlyList<string> Src);

    private sealed record ObservationRow(
        string Unit, string Indicator, string Period, ObservationKind Kind, Qualifier Qualifier, string? Breakdown,
        long? AmountFen, double? Quantity, string? StatedValue, string? Note, string Src);

    private sealed record ModelsFile(string Current, IReadOnlyList<InnovationPointsModel> Models);

    private sealed record TiersFile(IReadOnlyList<LadderRow> Ladder);

    private sealed record LadderRow(EnterpriseTier Tier, int Order, string NameZh);

    private sealed record PolicyFactsFile(IReadOnlyList<PolicyFact> Facts);
}

public sealed record PolicyFact(string Id, string Text, long? AmountFen, string? Comparison, int? Year, IReadOnlyList<string> Src);
