using System.Globalization;

namespace Parks.Domain;

/// <summary>
/// An amount of renminbi in integer fen (分). Policy amounts in the documents are in 万元 (10^4 yuan) or
/// 亿元 (10^8 yuan); these helpers convert without floating point.
/// </summary>
public readonly record struct Fen(long Value) : IComparable<Fen>
{
    public const long PerYuan = 100;
    public const long PerWan = 1_000_000;          // 1 万元
    public const long PerYi = 10_000_000_000;      // 1 亿元

    public static Fen Zero => new(0);
    public static Fen FromYuan(long yuan) => new(checked(yuan * PerYuan));
    public static Fen FromWan(long wan) => new(checked(wan * PerWan));
    public static Fen FromYi(long yi) => new(checked(yi * PerYi));

    public static Fen operator +(Fen a, Fen b) => new(checked(a.Value + b.Value));
    public static Fen operator -(Fen a, Fen b) => new(checked(a.Value - b.Value));
    public static bool operator <(Fen a, Fen b) => a.Value < b.Value;
    public static bool operator >(Fen a, Fen b) => a.Value > b.Value;
    public static bool operator <=(Fen a, Fen b) => a.Value <= b.Value;
    public static bool operator >=(Fen a, Fen b) => a.Value >= b.Value;

    public static Fen Min(Fen a, Fen b) => a.Value <= b.Value ? a : b;
    public static Fen Max(Fen a, Fen b) => a.Value >= b.Value ? a : b;

    /// <summary>
    /// <paramref name="numerator"/>/<paramref name="denominator"/> of this amount, rounded half away from zero
    /// to the fen, computed exactly in 128-bit integers (e.g. 4% is 4/100, 1.5% is 15/1000).
    /// </summary>
    public Fen MultiplyRatio(long numerator, long denominator)
    {
        if (denominator <= 0) throw new ArgumentOutOfRangeException(nameof(denominator));
        var product = (Int128)Value * numerator;
        var quotient = Int128.DivRem(product, denominator);
        var result = quotient.Quotient;
        if (Int128.Abs(quotient.Remainder) * 2 >= denominator) result += Int128.Sign(product);
        return new Fen(checked((long)result));
    }

    public int CompareTo(Fen other) => Value.CompareTo(other.Value);

    /// <summary>Human form in yuan with two decimals, e.g. "450000.00".</summary>
    public string ToYuanString() =>
        (Value < 0 ? "-" : "") + (Math.Abs(Value) / PerYuan).ToString(CultureInfo.InvariantCulture) + "." + (Math.Abs(Value) % PerYuan).ToString("00", CultureInfo.InvariantCulture);

    public override string ToString() => $"{ToYuanString()} CNY";
}
