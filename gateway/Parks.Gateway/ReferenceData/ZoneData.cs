using System.Text.Json;
using System.Text.Json.Serialization;
using Parks.Common.V1;
using Parks.Reference.V1;

namespace Parks.Gateway.ReferenceData;

/// <summary>
/// The zone-level reference figures (Data/zone.json, copied from the policy documents with their citations), loaded
/// once into the zone service's messages.
/// </summary>
internal sealed class ZoneData
{
    public const string ResourceName = "Parks.Gateway.Data.zone.json";
    public const string IndicatorPrefix = "zone/indicators/";

    private ZoneData(ZoneProfile profile, IReadOnlyList<ZoneIndicator> indicators)
    {
        Profile = profile;
        Indicators = indicators;
    }

    public ZoneProfile Profile { get; }

    /// <summary>In the documents' order.</summary>
    public IReadOnlyList<ZoneIndicator> Indicators { get; }

    public ZoneIndicator? Find(string name) => Indicators.FirstOrDefault(i => i.Name == name);

    public static ZoneData LoadEmbedded()
    {
        using var stream = typeof(ZoneData).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded zone data {ResourceName} is missing.");
        var file = JsonSerializer.Deserialize<ZoneFile>(stream, JsonOptions) ?? throw new InvalidOperationException("Data/zone.json is empty.");
        return FromFile(file);
    }

    private static ZoneData FromFile(ZoneFile file)
    {
        var profile = new ZoneProfile
        {
            Name = "zone",
            NameZh = file.Profile.NameZh,
            NameEn = file.Profile.NameEn,
            AreaKm2 = file.Profile.AreaKm2.Value,
            Established = file.Profile.Established.Value,
            EstablishedSrc = file.Profile.Established.Src,
            LayoutZh = file.Profile.LayoutZh,
        };
        profile.AreaSrc.AddRange(file.Profile.AreaKm2.Src);
        profile.LayoutSrc.AddRange(file.Profile.LayoutSrc);
        foreach (var count in file.TierCounts)
        {
            var tier = new ZoneTierCount
            {
                Tier = Enum.Parse<EnterpriseTier>(Pascal(count.Tier["ENTERPRISE_TIER_".Length..])),
                CategoryZh = count.CategoryZh,
                CategoryEn = count.CategoryEn,
                Year = count.Year,
                Value = count.Value,
                Qualifier = ParseQualifier(count.Qualifier),
                Src = count.Src,
            };
            if (count.ShareOfCityPercent is { } share) tier.ShareOfCityPercent = share;
            profile.TierCounts.Add(tier);
        }

        var indicators = new List<ZoneIndicator>();
        foreach (var entry in file.Indicators)
        {
            var indicator = new ZoneIndicator
            {
                Name = IndicatorPrefix + entry.Id,
                Id = entry.Id,
                NameZh = entry.NameZh,
                NameEn = entry.NameEn,
                UnitOfMeasure = entry.UnitOfMeasure,
                Scope = entry.Scope,
                KpiOrder = entry.KpiOrder ?? 0,
            };
            foreach (var f in entry.Figures)
            {
                var figure = new Figure
                {
                    Year = f.Year,
                    Kind = f.Kind switch
                    {
                        "actual" => FigureKind.Actual,
                        "target" => FigureKind.Target,
                        "share" => FigureKind.Share,
                        _ => throw new InvalidOperationException($"zone.json: {entry.Id}: unknown figure kind '{f.Kind}'"),
                    },
                    Qualifier = ParseQualifier(f.Qualifier),
                    Note = f.Note ?? string.Empty,
                    Src = f.Src,
                };
                switch (entry.UnitOfMeasure)
                {
                    case "fen": figure.AmountFen = long.Parse(f.AmountFen!, System.Globalization.CultureInfo.InvariantCulture); break;
                    case "usd_cents": figure.AmountUsdCents = long.Parse(f.AmountUsdCents!, System.Globalization.CultureInfo.InvariantCulture); break;
                    default: figure.Quantity = f.Quantity ?? throw new InvalidOperationException($"zone.json: {entry.Id} {f.Year}: no quantity"); break;
                }
                indicator.Figures.Add(figure);
            }
            indicators.Add(indicator);
        }
        return new ZoneData(profile, indicators);
    }

    private static Qualifier ParseQualifier(string text) => text switch
    {
        "eq" => Qualifier.Eq,
        "gt" => Qualifier.Gt,
        "gte" => Qualifier.Gte,
        "lt" => Qualifier.Lt,
        "lte" => Qualifier.Lte,
        "approx_more" => Qualifier.ApproxMore,
        "approx" => Qualifier.Approx,
        _ => throw new InvalidOperationException($"zone.json: unknown qualifier '{text}'"),
    };

    private static string Pascal(string upperSnake) =>
        string.Concat(upperSnake.Split('_').Select(w => w[..1] + w[1..].ToLowerInvariant()));

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    private sealed record ZoneFile(ProfileEntry Profile, List<TierEntry> TierCounts, List<IndicatorEntry> Indicators);

    private sealed record ProfileEntry(string NameZh, string NameEn, AreaEntry AreaKm2, EstablishedEntry Established, string LayoutZh, List<string> LayoutSrc);

    private sealed record AreaEntry(long Value, List<string> Src);

    private sealed record EstablishedEntry(string Value, string Src);

    private sealed record TierEntry(string Tier, string CategoryZh, string CategoryEn, int Year, long Value, string Qualifier, int? ShareOfCityPercent, string Src);

    private sealed record IndicatorEntry(string Id, string NameZh, string NameEn, string UnitOfMeasure, string Scope, int? KpiOrder, List<FigureEntry> Figures);

    private sealed record FigureEntry(int Year, string Kind, string Qualifier, string? AmountFen, string? AmountUsdCents, double? Quantity, string? Note, string Src);
}
