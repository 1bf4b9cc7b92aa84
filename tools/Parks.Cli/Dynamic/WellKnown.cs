using System.Globalization;
using System.Text;

namespace Parks.Cli.Dynamic;

/// <summary>The well-known types whose JSON form is not an object of their fields (proto3 JSON mapping).</summary>
internal static class WellKnown
{
    public const string Timestamp = "google.protobuf.Timestamp";
    public const string Duration = "google.protobuf.Duration";
    public const string FieldMask = "google.protobuf.FieldMask";
    public const string Struct = "google.protobuf.Struct";
    public const string Value = "google.protobuf.Value";
    public const string ListValue = "google.protobuf.ListValue";
    public const string NullValue = "google.protobuf.NullValue";
    public const string Any = "google.protobuf.Any";

    private static readonly HashSet<string> Wrappers =
    [
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value", "google.protobuf.UInt64Value",
        "google.protobuf.Int32Value", "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
        "google.protobuf.BytesValue",
    ];

    public static bool IsSpecial(string fullName) =>
        fullName is Timestamp or Duration or FieldMask or Struct or Value or ListValue or Any || Wrappers.Contains(fullName);

    private const long MinTimestampSeconds = -62135596800; // 0001-01-01T00:00:00Z
    private const long MaxTimestampSeconds = 253402300799; // 9999-12-31T23:59:59Z

    /// <summary>RFC 3339 ("2024-06-15T08:00:00Z", offsets and up to 9 fractional digits) to seconds and nanos.</summary>
    public static (long Seconds, int Nanos)? ParseTimestamp(string text)
    {
        var t = text.IndexOf('T');
        if (t < 0) return null;
        var offsetStart = text.IndexOfAny(['Z', 'z', '+', '-'], t);
        if (offsetStart < 0) return null;
        var main = text[..offsetStart];
        var offsetText = text[offsetStart..];
        var nanos = 0;
        var dot = main.IndexOf('.');
        if (dot >= 0)
        {
            var fraction = main[(dot + 1)..];
            if (fraction.Length is 0 or > 9 || !fraction.All(char.IsAsciiDigit)) return null;
            nanos = int.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
            main = main[..dot];
        }
        if (!DateTime.TryParseExact(main, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var local)) return null;
        var offset = TimeSpan.Zero;
        if (offsetText is not ("Z" or "z"))
        {
            if (!TimeSpan.TryParseExact(offsetText[1..], "hh\\:mm", CultureInfo.InvariantCulture, out offset)) return null;
            if (offsetText[0] == '-') offset = -offset;
        }
        var seconds = new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeSeconds() - (long)offset.TotalSeconds;
        if (seconds is < MinTimestampSeconds or > MaxTimestampSeconds) return null;
        return (seconds, nanos);
    }

    /// <summary>As Google's JsonFormatter writes it: UTC, "Z", 0, 3, 6 or 9 fractional digits.</summary>
    public static string FormatTimestamp(long seconds, int nanos)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(nanos) + "Z";
    }

    /// <summary>"1.5s", "-0.000000001s" to seconds and nanos (same sign).</summary>
    public static (long Seconds, int Nanos)? ParseDuration(string text)
    {
        if (!text.EndsWith('s')) return null;
        var number = text[..^1];
        var negative = number.StartsWith('-');
        if (negative) number = number[1..];
        var dot = number.IndexOf('.');
        var whole = dot < 0 ? number : number[..dot];
        var fraction = dot < 0 ? "" : number[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || fraction.Length > 9 || !fraction.All(char.IsAsciiDigit)) return null;
        if (!long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 315_576_000_000) return null;
        var nanos = fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        return negative ? (-seconds, -nanos) : (seconds, nanos);
    }

    public static string FormatDuration(long seconds, int nanos)
    {
        var negative = seconds < 0 || nanos < 0;
        var text = Math.Abs(seconds).ToString(CultureInfo.InvariantCulture) + Fraction(Math.Abs(nanos)) + "s";
        return negative ? "-" + text : text;
    }

    private static string Fraction(int nanos)
    {
        if (nanos == 0) return "";
        if (nanos % 1_000_000 == 0) return "." + (nanos / 1_000_000).ToString("000", CultureInfo.InvariantCulture);
        if (nanos % 1_000 == 0) return "." + (nanos / 1_000).ToString("000000", CultureInfo.InvariantCulture);
        return "." + nanos.ToString("000000000", CultureInfo.InvariantCulture);
    }

    /// <summary>"displayName" → "display_name" (field mask paths are snake_case on the wire, camelCase in JSON).</summary>
    public static string ToSnakeCase(string path)
    {
        var text = new StringBuilder(path.Length + 4);
        foreach (var c in path)
        {
            if (char.IsAsciiLetterUpper(c)) text.Append('_').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }

    public static string ToCamelCase(string path)
    {
        var text = new StringBuilder(path.Length);
        var upper = false;
        foreach (var c in path)
        {
            if (c == '_') upper = true;
            else
            {
                text.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
        }
        return text.ToString();
    }
}
