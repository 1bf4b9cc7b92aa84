using Google.Protobuf.WellKnownTypes;
using Parks.Domain;

// Linked into the Science City, Talent and Finance services: conversions their thin RPC layers share.
namespace Parks.Rpc.Mapping;

internal static class ProtoConversions
{
    public static Google.Type.Date ToProto(this DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    public static Google.Type.Date? ToProto(this DateOnly? date) => date?.ToProto();

    /// <summary>A required date; INVALID_ARGUMENT naming <paramref name="field"/> when missing or not a calendar date.</summary>
    public static DateOnly ToDate(this Google.Type.Date? date, string field) =>
        date.ToOptionalDate(field) ?? throw new ValidationException(field, "is required");

    /// <summary>An optional date (unset or all zero means none).</summary>
    public static DateOnly? ToOptionalDate(this Google.Type.Date? date, string field)
    {
        if (date is null || (date.Year == 0 && date.Month == 0 && date.Day == 0)) return null;
        try
        {
            return new DateOnly(date.Year, date.Month, date.Day);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new ValidationException(field, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a calendar date");
        }
    }

    public static Timestamp ToProto(this DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    public static Timestamp? ToProto(this DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    /// <summary>A proto enum value as the domain enum of the same numbering; unspecified (0) or unknown values are null.</summary>
    public static TDomain? ToDomain<TDomain>(this int value) where TDomain : struct, System.Enum
    {
        var domain = (TDomain)(object)value;
        return value != 0 && System.Enum.IsDefined(domain) ? domain : null;
    }

    /// <summary>A required proto enum value as the domain enum; INVALID_ARGUMENT when unspecified or unknown.</summary>
    public static TDomain Required<TDomain>(this int value, string field) where TDomain : struct, System.Enum =>
        value.ToDomain<TDomain>() ?? throw new ValidationException(field, value == 0 ? "is required" : $"{value} is not a known value");

    /// <summary>An optional unit name: empty is none, otherwise it must be a unit resource name.</summary>
    public static UnitRef? ToOptionalUnit(this string? name, string field) => string.IsNullOrEmpty(name) ? null : UnitRef.Parse(name, field);

    public static string? NullIfEmpty(this string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static Fen? ToOptionalFen(this long fen) => fen == 0 ? null : new Fen(fen);

    /// <summary>Update-mask paths, checked against the fields an update may change (AIP-134: an empty mask is invalid here).</summary>
    public static IReadOnlySet<string> Paths(this FieldMask? mask, params string[] allowed)
    {
        if (mask is null || mask.Paths.Count == 0) throw new ValidationException("update_mask", $"name the fields to update ({string.Join(", ", allowed)})");
        var v = new Validator();
        foreach (var p in mask.Paths)
        {
            if (!allowed.Contains(p)) v.Add("update_mask", $"'{p}' cannot be updated (updatable: {string.Join(", ", allowed)})");
        }
        v.ThrowIfInvalid();
        return mask.Paths.ToHashSet(StringComparer.Ordinal);
    }
}
