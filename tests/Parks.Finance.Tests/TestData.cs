using Parks.Domain;
using Parks.Finance.Data;

namespace Parks.Finance.Tests;

internal static class TestData
{
    public static readonly PolicyCatalogue Catalogue = PolicyCatalogue.LoadEmbedded();

    private static int _sequence;

    /// <summary>A fresh, valid credit code per call so tests never share enterprises.</summary>
    public static string NewUscc()
    {
        var n = Interlocked.Increment(ref _sequence);
        var body = $"91210200MA{Environment.ProcessId % 1000:000}{n:0000}";
        return UnifiedSocialCreditCode.FromBody(body[..17]).Value;
    }

    /// <summary>万元 in fen, written out so expected figures in tests read like the documents.</summary>
    public static long Wan(long wan) => wan * 1_000_000;
}
