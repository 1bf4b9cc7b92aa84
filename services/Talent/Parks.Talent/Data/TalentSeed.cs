using System.Text.Json;
using Parks.Domain;
using Parks.Talent.Domain;

namespace Parks.Talent.Data;

/// <summary>The talent service's seed data (Data/*.json), parsed and checked.</summary>
internal sealed class TalentSeed
{
    public required TalentBaseline Baseline { get; init; }
    public required IReadOnlyList<TalentProgramme> Programmes { get; init; }
    public required IReadOnlyList<ServiceType> ServiceTypes { get; init; }
    public required IReadOnlyList<RoadshowEdition> Editions { get; init; }

    public TalentProgramme GetProgramme(string id) =>
        Programmes.FirstOrDefault(p => p.Id == id) ?? throw new NotFoundException("Programme", $"programmes/{id}");

    public ServiceType GetServiceType(string id) =>
        ServiceTypes.FirstOrDefault(t => t.Id == id) ?? throw new NotFoundException("ServiceType", $"serviceTypes/{id}");

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static TalentSeed LoadEmbedded() => Load(Read("talent.json"), Read("service-types.json"), Read("roadshows.json"));

    public static TalentSeed Load(string talentJson, string serviceTypesJson, string roadshowsJson)
    {
        var talent = Parse<TalentDto>(talentJson);
        var b = talent.Baseline ?? throw new InvalidDataException("talent.json: no baseline");
        var levels = b.Levels.ToDictionary(
            l => Enum.Parse<TalentLevel>(l.Key),
            l => new BaselineCount(l.Value.Value, l.Value.ApproximatelyMore));
        if (levels.Count != 3) throw new InvalidDataException("talent.json: the baseline needs the national, provincial and municipal counts");

        var programmes = (talent.Programmes ?? []).Select(p =>
            Zone.IsValidSlug(p.Id) && !string.IsNullOrEmpty(p.Src)
                ? new TalentProgramme(p.Id, p.NameZh, p.NameEn, p.Src)
                : throw new InvalidDataException($"talent.json: programme '{p.Id}' needs a valid id and a source")).ToList();

        var types = (Parse<ServiceTypesDto>(serviceTypesJson).Types ?? []).Select(t =>
            t.SlaDays > 0 && Zone.IsValidSlug(t.Id)
                ? new ServiceType(t.Id, t.NameZh, t.NameEn, TimeSpan.FromDays(t.SlaDays), SlaIllustrative: true, t.Src)
                : throw new InvalidDataException($"service-types.json: '{t.Id}' needs a valid id and a positive slaDays")).ToList();

        var editions = (Parse<RoadshowsDto>(roadshowsJson).Editions ?? [])
            .Select(e => RoadshowEdition.Create(e.Id, e.Year, e.DisplayName, e.Reported, e.Src)).ToList();

        return new TalentSeed
        {
            Baseline = new TalentBaseline(b.Year, levels, b.Src),
            Programmes = programmes,
            ServiceTypes = types,
            Editions = editions,
        };
    }

    private static string Read(string fileName)
    {
        var name = $"Parks.Talent.Data.{fileName}";
        using var stream = typeof(TalentSeed).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"seed resource '{name}' is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new InvalidDataException($"empty seed for {typeof(T).Name}");

    private sealed record TalentDto(BaselineDto? Baseline, IReadOnlyList<ProgrammeDto>? Programmes);

    private sealed record BaselineDto(int Year, string Src, Dictionary<string, LevelDto> Levels);

    private sealed record LevelDto(int Value, bool ApproximatelyMore);

    private sealed record ProgrammeDto(string Id, string NameZh, string NameEn, string Src);

    private sealed record ServiceTypesDto(IReadOnlyList<ServiceTypeDto>? Types);

    private sealed record ServiceTypeDto(string Id, string NameZh, string NameEn, int SlaDays, string Src);

    private sealed record RoadshowsDto(IReadOnlyList<EditionDto>? Editions);

    private sealed record EditionDto(string Id, int Year, string DisplayName, string Src, Dictionary<string, long>? Reported);
}
