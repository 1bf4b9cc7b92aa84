using System.Text.Json;
using Parks.ScienceCity.Domain;

namespace Parks.ScienceCity.Data;

/// <summary>The Science City's seed data (Data/science-city.json), parsed and checked.</summary>
internal sealed class ScienceCitySeed
{
    public required IReadOnlyList<SeedBatch> AdmissionBatches { get; init; }
    public required IReadOnlyList<SeedPlatform> Platforms { get; init; }
    public required int ZonePlatformTotal2023 { get; init; }
    public required IReadOnlyDictionary<string, int> ZonePlatformKinds2023 { get; init; }

    internal sealed record SeedBatch(string Id, string DisplayName, int PlannedCount, string Source);

    internal sealed record SeedPlatform(string Id, PlatformDraft Draft);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    public static ScienceCitySeed LoadEmbedded()
    {
        const string name = "Parks.ScienceCity.Data.science-city.json";
        using var stream = typeof(ScienceCitySeed).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"seed resource '{name}' is not embedded");
        using var reader = new StreamReader(stream);
        return Load(reader.ReadToEnd());
    }

    public static ScienceCitySeed Load(string json)
    {
        var d = JsonSerializer.Deserialize<SeedDto>(json, JsonOptions) ?? throw new InvalidDataException("science-city.json is empty");
        var counts = d.ZonePlatformCounts2023 ?? throw new InvalidDataException("science-city.json: no zone platform counts");
        return new ScienceCitySeed
        {
            AdmissionBatches = (d.AdmissionBatches ?? []).Select(b => new SeedBatch(b.Id, b.DisplayName, b.PlannedCount,
                string.IsNullOrEmpty(b.Src) ? throw new InvalidDataException($"science-city.json: batch '{b.Id}' has no source") : b.Src)).ToList(),
            Platforms = (d.Platforms ?? []).Select(p => new SeedPlatform(p.Id, new PlatformDraft(p.DisplayName,
                Enum.Parse<PlatformKind>(p.Kind), Enum.Parse<PlatformLevel>(p.Level), p.Host,
                p.Domain is null ? null : Enum.Parse<ResearchDomain>(p.Domain), p.StatusNote,
                string.IsNullOrEmpty(p.Src) ? throw new InvalidDataException($"science-city.json: platform '{p.Id}' has no source") : p.Src))).ToList(),
            ZonePlatformTotal2023 = counts.Total,
            ZonePlatformKinds2023 = counts.Kinds,
        };
    }

    private sealed record SeedDto(IReadOnlyList<BatchDto>? AdmissionBatches, IReadOnlyList<PlatformDto>? Platforms, CountsDto? ZonePlatformCounts2023);

    private sealed record BatchDto(string Id, string DisplayName, int PlannedCount, string Src);

    private sealed record PlatformDto(string Id, string DisplayName, string Kind, string Level, string Host, string? Domain, string? StatusNote, string Src);

    private sealed record CountsDto(int Total, Dictionary<string, int> Kinds);
}
