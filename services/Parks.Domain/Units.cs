namespace Parks.Domain;

/// <summary>The kinds of organisational unit of "one city, six districts, many parks" (一城六区多园).</summary>
public enum UnitKind
{
    ScienceCity = 1,
    District = 2,
    BranchPark = 3,
}

/// <summary>
/// A unit where enterprises and projects are located: the Science City, one of the six districts, or a branch
/// park. Its resource name is <c>scienceCity</c>, <c>districts/{id}</c> or <c>parks/{id}</c>.
/// </summary>
public readonly record struct UnitRef(UnitKind Kind, string Id)
{
    public const string ScienceCityId = "yingshi";

    public static UnitRef ScienceCity => new(UnitKind.ScienceCity, ScienceCityId);
    public static UnitRef District(string id) => new(UnitKind.District, id);
    public static UnitRef Park(string id) => new(UnitKind.BranchPark, id);

    public string ResourceName => Kind switch
    {
        UnitKind.ScienceCity => "scienceCity",
        UnitKind.District => $"districts/{Id}",
        UnitKind.BranchPark => $"parks/{Id}",
        _ => throw new InvalidOperationException($"unknown unit kind {Kind}"),
    };

    public override string ToString() => ResourceName;

    /// <summary>Parses <c>districts/{id}</c>, <c>parks/{id}</c> or <c>scienceCity</c>; ids are checked for form only.</summary>
    public static bool TryParse(string? name, out UnitRef unit)
    {
        unit = default;
        if (string.IsNullOrEmpty(name)) return false;
        if (name == "scienceCity") { unit = ScienceCity; return true; }
        var slash = name.IndexOf('/');
        if (slash <= 0 || slash == name.Length - 1) return false;
        var id = name[(slash + 1)..];
        if (!Zone.IsValidSlug(id)) return false;
        switch (name[..slash])
        {
            case "districts": unit = District(id); return true;
            case "parks": unit = Park(id); return true;
            default: return false;
        }
    }

    public static UnitRef Parse(string? name, string field) =>
        TryParse(name, out var unit)
            ? unit
            : throw new ValidationException(field, $"'{name}' is not a unit name (expected districts/{{id}}, parks/{{id}} or scienceCity)");
}

/// <summary>A district of the zone (六区), fixed by the zone's layout.</summary>
public sealed record DistrictInfo(string Id, string NameZh, string NameEn, string PositioningZh, string PositioningEn, string Source);

/// <summary>The zone's fixed layout: the six districts (000:152, 001:59). Branch parks are data, held by the branch-parks service.</summary>
public static class Zone
{
    public static IReadOnlyList<DistrictInfo> Districts { get; } =
    [
        new("lingshui", "凌水", "Lingshui", "软件信息技术服务业区", "Software & IT Services District", "000:152, 001:59"),
        new("qixianling", "七贤岭", "Qixianling", "数字技术开发应用区", "Digital Technology Development & Application District", "000:152, 001:59"),
        new("xiaopingdao", "小平岛", "Xiaopingdao", "现代服务业区", "Modern Services District", "000:152, 001:59"),
        new("huangnichuan", "黄泥川", "Huangnichuan", "智能制造产业区", "Intelligent Manufacturing Industry District", "000:152, 001:59"),
        new("longwangtang", "龙王塘", "Longwangtang", "休闲旅游区", "Leisure Tourism District", "000:152, 001:59"),
        new("longtou", "龙头", "Longtou", "智能装备制造区", "Intelligent Equipment Manufacturing District", "000:152, 001:59"),
    ];

    /// <summary>The five branch parks named in the documents (000:152, 001:61); operators may add more at run time.</summary>
    public static IReadOnlyList<string> SeedBranchParkIds { get; } = ["changxingdao", "jinpu", "ganjingzi", "lvshun", "wafangdian"];

    public static bool IsDistrict(string id) => Districts.Any(d => d.Id == id);

    public static DistrictInfo GetDistrict(string id) =>
        Districts.FirstOrDefault(d => d.Id == id) ?? throw new NotFoundException("District", $"districts/{id}");

    /// <summary>Ids are lower-case ASCII letters, digits and '-', 2-40 characters, starting with a letter.</summary>
    public static bool IsValidSlug(string id)
    {
        if (id.Length is < 2 or > 40 || id[0] is < 'a' or > 'z') return false;
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        }
        return true;
    }
}
