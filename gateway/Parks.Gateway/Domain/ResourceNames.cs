using Parks.Domain;

namespace Parks.Gateway.Domain;

/// <summary>What a request's resource name says about where it belongs.</summary>
internal enum ResourceScope
{
    /// <summary>The name starts with a unit: <c>scienceCity</c>, <c>districts/{id}</c> or <c>parks/{id}</c>.</summary>
    Unit,
    /// <summary>A zone-wide name (e.g. <c>innovationRankings/2024</c>) that belongs to no unit.</summary>
    ZoneWide,
}

/// <summary>Resource names (AIP-122) as the gateway reads them to route and authorise.</summary>
internal static class ResourceNames
{
    public const int MaxLength = 1_024;

    /// <summary>
    /// Checks the form of a resource name: non-empty segments separated by single '/', no "." or ".." segment, only
    /// letters, digits and <c>-._~@:+=</c>. Names that could mean different things to different parsers are refused.
    /// </summary>
    public static bool IsWellFormed(string name, out string problem)
    {
        problem = string.Empty;
        if (name.Length == 0) { problem = "is required"; return false; }
        if (name.Length > MaxLength) { problem = $"must be at most {MaxLength} characters"; return false; }
        var segmentStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '/')
            {
                if (!IsNameChar(name[i])) { problem = $"contains '{Printable(name[i])}' at position {i}; resource names use letters, digits and -._~@:+="; return false; }
                continue;
            }
            var segment = name.AsSpan(segmentStart, i - segmentStart);
            if (segment.Length == 0) { problem = "has an empty segment (leading, trailing or doubled '/')"; return false; }
            if (segment is "." or "..") { problem = "has a '.' or '..' segment"; return false; }
            segmentStart = i + 1;
        }
        return true;
    }

    /// <summary>The unit a well-formed name belongs to; false with <paramref name="problem"/> when it starts like a unit name but is not one.</summary>
    public static bool TryGetScope(string name, out ResourceScope scope, out UnitRef unit, out string problem)
    {
        scope = ResourceScope.ZoneWide;
        unit = default;
        problem = string.Empty;
        var first = name.IndexOf('/');
        var collection = first < 0 ? name : name[..first];
        switch (collection)
        {
            case "scienceCity":
                scope = ResourceScope.Unit;
                unit = UnitRef.ScienceCity;
                return true;
            case "districts" or "parks":
                if (first < 0) { problem = $"names the {collection} collection, not one unit"; return false; }
                var second = name.IndexOf('/', first + 1);
                var id = second < 0 ? name[(first + 1)..] : name[(first + 1)..second];
                if (!UnitRef.TryParse($"{collection}/{id}", out unit)) { problem = $"'{id}' is not a valid {(collection == "districts" ? "district" : "park")} id"; return false; }
                if (collection == "districts" && !Parks.Domain.Zone.IsDistrict(id)) { problem = $"'{id}' is not one of the six districts"; return false; }
                scope = ResourceScope.Unit;
                return true;
            default:
                return true;
        }
    }

    private static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' or '@' or ':' or '+' or '=';

    private static string Printable(char c) => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString();
}

/// <summary>Which backend serves a unit's calls.</summary>
internal static class RoutingRules
{
    /// <summary><c>district-{id}</c> for a district's instance, <c>branchparks</c> for every branch park, <c>sciencecity</c>.</summary>
    public static string BackendOf(UnitRef unit) => unit.Kind switch
    {
        UnitKind.District => "district-" + unit.Id,
        UnitKind.BranchPark => "branchparks",
        _ => "sciencecity",
    };
}
