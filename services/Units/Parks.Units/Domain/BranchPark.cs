using Parks.Domain;

namespace Parks.Units.Domain;

/// <summary>A statement from the documents with its citation.</summary>
public sealed record SourcedText(string Text, IReadOnlyList<string> Src);

/// <summary>
/// A branch park (分园) of "多园". The five named in the documents (000:152, 001:61) are seed data; operators may
/// add more. The documents give no park its own area, indicators or enterprises (seed-data branchParksNote).
/// </summary>
public sealed record BranchPark
{
    public const int MaxName = 100;

    public required string Id { get; init; }
    public required string NameZh { get; init; }
    public string? NameEn { get; init; }
    /// <summary>Other names the documents use (e.g. 长岭岛分园 in 001:61 for 长兴岛分园).</summary>
    public IReadOnlyList<SourcedText> NameVariants { get; init; } = [];
    /// <summary>Facts about the park's host area (not the park itself), with citations.</summary>
    public IReadOnlyList<SourcedText> AreaFacts { get; init; } = [];
    /// <summary>Citation when the park comes from the documents; null for parks added by an operator.</summary>
    public IReadOnlyList<string>? Src { get; init; }
    public DateTimeOffset CreateTime { get; init; }

    public UnitRef Unit => UnitRef.Park(Id);

    public static BranchPark Create(string? id, string? nameZh, string? nameEn, DateTimeOffset now)
    {
        var v = new Validator();
        if (string.IsNullOrEmpty(id)) v.Add("branch_park_id", "is required");
        else if (!Zone.IsValidSlug(id)) v.Add("branch_park_id", $"'{id}' must be lower-case letters, digits and '-', 2-40 characters, starting with a letter");
        else if (Zone.IsDistrict(id)) v.Add("branch_park_id", $"'{id}' is one of the six districts");
        v.RequireText(nameZh, "branch_park.name_zh", MaxName);
        Enterprise.CheckOptional(v, nameEn, MaxName, "branch_park.name_en");
        v.ThrowIfInvalid();
        return new BranchPark { Id = id!, NameZh = nameZh!.Trim(), NameEn = Enterprise.Normalize(nameEn), CreateTime = now };
    }
}

/// <summary>A district's profile as the documents give it: names and positioning (000:152, 001:59), nothing quantitative.</summary>
public sealed record DistrictProfile
{
    public required string Id { get; init; }
    public required string NameZh { get; init; }
    public required string NameEn { get; init; }
    public required string FullNameZh { get; init; }
    public required string PositioningZh { get; init; }
    public required string PositioningEn { get; init; }
    public required IReadOnlyList<string> PositioningSrc { get; init; }
    public IReadOnlyList<SourcedText> PositioningVariants { get; init; } = [];
    public bool IsOneOfZoneStreets { get; init; }
    public SourcedText? StreetNote { get; init; }
    /// <summary>1+8 industry ids whose names the positioning states literally (e.g. 凌水 → software-it).</summary>
    public IReadOnlyList<string> IndustryIds { get; init; } = [];
    public IReadOnlyList<SourcedText> NamedCarriers { get; init; } = [];

    public UnitRef Unit => UnitRef.District(Id);
}
