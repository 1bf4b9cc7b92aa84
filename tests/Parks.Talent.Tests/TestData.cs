using Parks.Domain;
using Parks.Talent.Data;

namespace Parks.Talent.Tests;

internal static class TestData
{
    public static readonly TalentSeed Seed = TalentSeed.LoadEmbedded();

    private static int _sequence;

    /// <summary>A fresh, valid credit code per call so tests never share enterprises.</summary>
    public static string NewUscc()
    {
        var n = Interlocked.Increment(ref _sequence);
        var body = $"91210200MB{Environment.ProcessId % 1000:000}{n:0000}";
        return UnifiedSocialCreditCode.FromBody(body[..17]).Value;
    }
}
