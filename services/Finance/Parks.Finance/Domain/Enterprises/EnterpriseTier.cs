namespace Parks.Finance.Domain;

/// <summary>
/// The enterprise tier ladder 科小 → 高企 → 雏鹰 → 瞪羚 → 独角兽 → 领军/上市 (000:110, 000:57), numbered as
/// parks.common.v1.EnterpriseTier.
/// </summary>
internal enum EnterpriseTier
{
    TechSme = 1,   // 科技型中小企业 (科小)
    HighTech = 2,  // 高新技术企业 (高企)
    Eaglet = 3,    // 雏鹰
    Gazelle = 4,   // 瞪羚
    Unicorn = 5,   // 独角兽
    Leader = 6,    // 领军企业
    Listed = 7,    // 上市
}

internal static class EnterpriseTiers
{
    public static string Describe(this EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.TechSme => "科小 (tech-based SME)",
        EnterpriseTier.HighTech => "高企 (high-tech enterprise)",
        EnterpriseTier.Eaglet => "雏鹰 (eaglet)",
        EnterpriseTier.Gazelle => "瞪羚 (gazelle)",
        EnterpriseTier.Unicorn => "独角兽 (unicorn)",
        EnterpriseTier.Leader => "领军 (leading enterprise)",
        EnterpriseTier.Listed => "上市 (listed)",
        _ => $"tier {(int)tier}",
    };
}
