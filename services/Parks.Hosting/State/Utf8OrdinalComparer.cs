namespace Parks.Hosting.State;

/// <summary>
/// Orders strings as the ordinal comparison of their UTF-8 bytes (= Unicode code point order), which is how
/// Redis orders sorted-set members. Plain <see cref="string.CompareOrdinal(string, string)"/> compares UTF-16
/// code units and puts supplementary characters before U+E000..U+FFFF, so the in-memory store would page
/// differently from Redis.
/// </summary>
internal sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static readonly Utf8OrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a == b) continue;
            return CodePointOrder(a).CompareTo(CodePointOrder(b));
        }
        return x.Length.CompareTo(y.Length);
    }

    // Surrogates (D800..DFFF) encode code points above FFFF, so they must sort after E000..FFFF.
    private static int CodePointOrder(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
