using System.Globalization;
using Parks.Domain;
using Parks.Events.V1;
using Parks.ScienceCity.Domain;

namespace Parks.ScienceCity.Events;

/// <summary>The integration events the Science City publishes (parks.events.v1), built from domain events.</summary>
internal static class Published
{
    public const string TechContractTurnoverIndicator = "tech_contract_value";

    public static ResearchProjectIndustrialized Industrialized(LandingHandOff e) => new()
    {
        ResearchProject = e.ResearchProject,
        DisplayName = e.DisplayName,
        LandingUnit = e.LandingUnit.ResourceName,
        Industry = e.Industry,
        ExpectedInvestmentFen = e.ExpectedInvestment.Value,
    };

    /// <summary>
    /// The Science City's 技术合同成交额 for a year after a contract was registered, in 亿元 as the zone's indicator
    /// series is kept (seed indicator zone.tech_contract_value, unit CNY_100M).
    /// </summary>
    public static IndicatorReported Turnover(TechContractTurnover turnover) => new()
    {
        Unit = UnitRef.ScienceCity.ResourceName,
        Indicator = TechContractTurnoverIndicator,
        Period = turnover.Year.ToString(CultureInfo.InvariantCulture),
        Value = (double)(turnover.Total.Value / (decimal)Fen.PerYi),
        UnitOfMeasure = "CNY_100M",
    };
}
