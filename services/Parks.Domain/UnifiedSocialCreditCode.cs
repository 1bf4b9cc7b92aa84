using System.Diagnostics.CodeAnalysis;

namespace Parks.Domain;

/// <summary>
/// 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from the 31-character set
/// 0-9 and A-Y without I, O, S, V, Z. Position 1 is the registration authority, 2 the organisation category,
/// 3-8 the administrative division (digits), 9-17 the organisation code, 18 the check character:
/// C18 = 31 - (Σ Ci·Wi mod 31) with weights Wi = 3^(i-1) mod 31, and 31 written as 0.
/// </summary>
public readonly record struct UnifiedSocialCreditCode
{
    public const int Length = 18;
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    private UnifiedSocialCreditCode(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses and validates; the reason says exactly what is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out UnifiedSocialCreditCode? code, out string reason)
    {
        code = null;
        if (string.IsNullOrEmpty(text)) { reason = "is required"; return false; }
        if (text.Length != Length) { reason = $"must be {Length} characters (got {text.Length})"; return false; }

        var sum = 0;
        for (var i = 0; i < Length; i++)
        {
            var c = text[i];
            var v = Alphabet.IndexOf(c);
            if (v < 0)
            {
                reason = $"character {i + 1} '{c}' is not allowed (digits and upper-case A-Y without I, O, S, V, Z)";
                return false;
            }
            if (i is >= 2 and <= 7 && v > 9)
            {
                reason = $"characters 3-8 are the administrative division code and must be digits (character {i + 1} is '{c}')";
                return false;
            }
            if (i < Length - 1) sum += v * Weights[i];
        }

        var expected = CheckCharacter(sum);
        if (text[Length - 1] != expected)
        {
            reason = $"check character is '{text[Length - 1]}' but GB 32100-2015 requires '{expected}'";
            return false;
        }

        code = new UnifiedSocialCreditCode(text);
        reason = string.Empty;
        return true;
    }

    /// <summary>Parses or throws a <see cref="ValidationException"/> naming <paramref name="field"/>.</summary>
    public static UnifiedSocialCreditCode Parse(string? text, string field = "uscc") =>
        TryParse(text, out var code, out var reason) ? code.Value : throw new ValidationException(field, $"invalid unified social credit code: {reason}");

    /// <summary>Completes a 17-character body with its check character (used to generate demo data).</summary>
    public static UnifiedSocialCreditCode FromBody(string body17)
    {
        if (body17.Length != Length - 1) throw new ArgumentException("body must be 17 characters", nameof(body17));
        var sum = 0;
        for (var i = 0; i < body17.Length; i++)
        {
            var v = Alphabet.IndexOf(body17[i]);
            if (v < 0) throw new ArgumentException($"character '{body17[i]}' is not in the code alphabet", nameof(body17));
            sum += v * Weights[i];
        }
        return Parse(body17 + CheckCharacter(sum));
    }

    /// <summary>The code alphabet, for generators.</summary>
    public static ReadOnlySpan<char> Characters => Alphabet;

    private static char CheckCharacter(int weightedSum)
    {
        var check = 31 - weightedSum % 31;
        return Alphabet[check == 31 ? 0 : check];
    }
}
