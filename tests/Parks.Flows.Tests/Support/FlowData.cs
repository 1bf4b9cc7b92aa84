using Parks.Domain;

namespace Parks.Flows.Tests.Support;

/// <summary>Data the flow tests make up: fresh credit codes and ids, dates.</summary>
internal static class FlowData
{
    /// <summary>A valid credit code no other test of the run uses (organisation code "F" + 8 random digits).</summary>
    public static string NewUscc() => UnifiedSocialCreditCode.FromBody($"91210200F{Random.Shared.Next(0, 100_000_000):00000000}").Value;

    public static Google.Type.Date Date(int year, int month, int day) => new() { Year = year, Month = month, Day = day };

    public static Google.Type.Date Date(DateOnly day) => Date(day.Year, day.Month, day.Day);

    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);
}

/// <summary>
/// The 免申即享 payouts a tier certification earns, computed here from the documents' rules, independently of the
/// finance service's catalogue, so the flow checks the catalogue's figures as well as the plumbing.
/// </summary>
internal static class DocumentRules
{
    /// <summary>1万元 in fen.</summary>
    private const long Wan = 1_000_000;

    /// <summary>
    /// A first 高企 certification: 20万元 (大政发〔2017〕52号 第十四条, 002:163), for facts while the document is in force,
    /// 2018-01-01 to 2022-12-31 (002:287). A 高企 (or 雏鹰) newly registered between 2022 and 2022-08-31: 30万元 new-registration
    /// award plus 20万元 development award (001:133; the window's start is the project's illustrative lower bound).
    /// </summary>
    public static IReadOnlyDictionary<string, long> FirstHighTechCertification(DateOnly registered, DateOnly certifiedFrom)
    {
        var payouts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (certifiedFrom >= new DateOnly(2018, 1, 1) && certifiedFrom <= new DateOnly(2022, 12, 31)) payouts["policies/gaoqi-first-certification"] = 20 * Wan;
        if (registered >= new DateOnly(2022, 1, 1) && registered <= new DateOnly(2022, 8, 31))
        {
            payouts["policies/new-registration-award-2022"] = 30 * Wan;
            payouts["policies/new-registration-development-award-2022"] = 20 * Wan;
        }
        return payouts;
    }
}
