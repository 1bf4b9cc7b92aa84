using System.Globalization;
using Parks.Domain;

namespace Parks.Units.Domain;

/// <summary>
/// Resource names of this area (AIP-122). Every name starts with its unit (<c>districts/{id}</c> or
/// <c>parks/{id}</c>): the gateway routes and authorises on that prefix.
/// </summary>
public static class ResourceNames
{
    public static string Enterprise(UnitRef unit, string uscc) => $"{unit.ResourceName}/enterprises/{uscc}";

    public static string Certification(UnitRef unit, string uscc, string id) => $"{Enterprise(unit, uscc)}/certifications/{id}";

    public static string InnovationPoints(UnitRef unit, string uscc, int year) =>
        $"{Enterprise(unit, uscc)}/innovationPoints/{year.ToString(CultureInfo.InvariantCulture)}";

    public static string Project(UnitRef unit, string id) => $"{unit.ResourceName}/projects/{id}";

    public static string Referral(UnitRef unit, string id) => $"{unit.ResourceName}/referrals/{id}";

    public static string Indicator(UnitRef unit, string indicatorId) => $"{unit.ResourceName}/indicators/{indicatorId}";

    public static string InnovationRanking(int year) => $"innovationRankings/{year.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses a unit that hosts enterprises: <c>districts/{id}</c> or <c>parks/{id}</c>.</summary>
    public static UnitRef ParseHostUnit(string? name, string field)
    {
        if (!UnitRef.TryParse(name, out var unit) || unit.Kind == UnitKind.ScienceCity)
            throw new ValidationException(field, $"'{name}' is not a district or branch park name (expected districts/{{id}} or parks/{{id}})");
        return unit;
    }

    /// <summary>Parses <c>{unit}/enterprises/{uscc}</c>, validating the credit code.</summary>
    public static (UnitRef Unit, string Uscc) ParseEnterprise(string? name, string field = "name")
    {
        var (unit, rest) = SplitUnit(name, field, "enterprises");
        if (rest.Length != 1) throw Malformed(name, field, "{unit}/enterprises/{uscc}");
        if (!UnifiedSocialCreditCode.TryParse(rest[0], out var code, out var reason))
            throw new ValidationException(field, $"'{name}' names an invalid unified social credit code: {reason}");
        return (unit, code.Value.Value);
    }

    /// <summary>Parses <c>{unit}/enterprises/{uscc}/certifications/{id}</c>.</summary>
    public static (UnitRef Unit, string Uscc, string CertificationId) ParseCertification(string? name, string field = "name")
    {
        var (unit, rest) = SplitUnit(name, field, "enterprises");
        if (rest.Length != 3 || rest[1] != "certifications" || !IsSequence(rest[2]))
            throw Malformed(name, field, "{unit}/enterprises/{uscc}/certifications/{number}");
        var (_, uscc) = ParseEnterprise($"{unit.ResourceName}/enterprises/{rest[0]}", field);
        return (unit, uscc, rest[2]);
    }

    /// <summary>Parses <c>{unit}/enterprises/{uscc}/innovationPoints/{year}</c>.</summary>
    public static (UnitRef Unit, string Uscc, int Year) ParseInnovationPoints(string? name, string field = "name")
    {
        var (unit, rest) = SplitUnit(name, field, "enterprises");
        if (rest.Length != 3 || rest[1] != "innovationPoints" || !int.TryParse(rest[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
            throw Malformed(name, field, "{unit}/enterprises/{uscc}/innovationPoints/{year}");
        var (_, uscc) = ParseEnterprise($"{unit.ResourceName}/enterprises/{rest[0]}", field);
        return (unit, uscc, year);
    }

    public static (UnitRef Unit, string Id) ParseProject(string? name, string field = "name") => ParseChild(name, field, "projects");

    public static (UnitRef Unit, string Id) ParseReferral(string? name, string field = "name") => ParseChild(name, field, "referrals");

    /// <summary>Parses <c>innovationRankings/{year}</c>.</summary>
    public static int ParseInnovationRanking(string? name, string field = "name")
    {
        const string prefix = "innovationRankings/";
        if (name is null || !name.StartsWith(prefix, StringComparison.Ordinal)
            || !int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
            throw Malformed(name, field, "innovationRankings/{year}");
        return year;
    }

    /// <summary>Child ids chosen by clients: lower-case letters, digits and '-', 2-63 characters, starting with a letter (AIP-122).</summary>
    public static bool IsValidChildId(string? id)
    {
        if (id is null || id.Length is < 2 or > 63 || id[0] is < 'a' or > 'z' || id[^1] == '-') return false;
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        }
        return true;
    }

    private static (UnitRef Unit, string Id) ParseChild(string? name, string field, string collection)
    {
        var (unit, rest) = SplitUnit(name, field, collection);
        if (rest.Length != 1 || !IsValidChildId(rest[0])) throw Malformed(name, field, $"{{unit}}/{collection}/{{id}}");
        return (unit, rest[0]);
    }

    private static (UnitRef Unit, string[] Segments) SplitUnit(string? name, string field, string collection)
    {
        var parts = (name ?? "").Split('/');
        if (parts.Length < 4 || parts[2] != collection) throw Malformed(name, field, $"{{unit}}/{collection}/…");
        var unit = ParseHostUnit($"{parts[0]}/{parts[1]}", field);
        return (unit, parts[3..]);
    }

    private static bool IsSequence(string text) =>
        text.Length is > 0 and < 10 && text[0] != '0' && text.All(char.IsAsciiDigit);

    private static ValidationException Malformed(string? name, string field, string pattern) =>
        new(field, $"'{name}' is not a resource name of the form {pattern}, where {{unit}} is districts/{{id}} or parks/{{id}}");
}
