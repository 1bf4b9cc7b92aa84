using Parks.Reference.V1;

namespace Parks.Gateway.Domain;

/// <summary>
/// The zone's headline indicators against their targets, computed from the documents' series:
/// <list type="bullet">
/// <item>latest = the most recent reported value (the card's "as of" is its year), previous = the report before it;</item>
/// <item>change = latest against previous in percent, and per year as a compound annual rate when they are years apart;</item>
/// <item>target = the target of the latest target year (the first document's when documents disagree; the others are
/// listed); completion = latest / target;</item>
/// <item>on track = latest reaches the straight line from previous to the target at latest's year (or the target itself).</item>
/// </list>
/// The method is the project's (the documents set targets, not a way to track them).
/// </summary>
internal static class ZoneScorecard
{
    public static IReadOnlyList<ZoneKpi> Compute(IEnumerable<ZoneIndicator> indicators) =>
        indicators.Where(i => i.KpiOrder > 0).OrderBy(i => i.KpiOrder).Select(KpiOf).OfType<ZoneKpi>().ToArray();

    public static ZoneKpi? KpiOf(ZoneIndicator indicator)
    {
        var actuals = indicator.Figures.Where(f => f.Kind == FigureKind.Actual && f.Year > 0)
            .Select((f, i) => (Figure: f, Order: i)).OrderBy(x => x.Figure.Year).ThenBy(x => x.Order).Select(x => x.Figure).ToArray();
        if (actuals.Length == 0) return null;
        var latestYear = actuals[^1].Year;
        var latest = actuals.First(f => f.Year == latestYear);
        var previous = actuals.LastOrDefault(f => f.Year < latestYear);

        var kpi = new ZoneKpi
        {
            Indicator = indicator.Name,
            NameZh = indicator.NameZh,
            NameEn = indicator.NameEn,
            UnitOfMeasure = indicator.UnitOfMeasure,
            Latest = latest,
        };
        if (previous is not null)
        {
            kpi.Previous = previous;
            var from = ValueOf(previous);
            var to = ValueOf(latest);
            if (from > 0)
            {
                kpi.ChangePercent = Round((to - from) / from * 100);
                var years = latest.Year - previous.Year;
                if (years > 1) kpi.ChangePercentPerYear = Round((Math.Pow(to / from, 1.0 / years) - 1) * 100);
            }
        }

        var targets = indicator.Figures.Where(f => f.Kind == FigureKind.Target && f.Year > 0).ToArray();
        if (targets.Length == 0) return kpi;
        var targetYear = targets.Max(f => f.Year);
        var forYear = targets.Where(f => f.Year == targetYear).ToArray();
        kpi.Target = forYear[0];
        kpi.OtherTargets.AddRange(forYear.Skip(1));

        var target = ValueOf(kpi.Target);
        var actual = ValueOf(latest);
        if (target > 0) kpi.CompletionPercent = Round(actual / target * 100);
        if (actual >= target)
        {
            kpi.OnTrack = true;
            kpi.ExpectedValue = target;
        }
        else if (previous is not null && previous.Year < targetYear && latest.Year <= targetYear)
        {
            var start = ValueOf(previous);
            var expected = start + (target - start) * (latest.Year - previous.Year) / (targetYear - previous.Year);
            kpi.ExpectedValue = Round(expected);
            kpi.OnTrack = actual >= expected;
        }
        return kpi;
    }

    /// <summary>A figure's value in its indicator's unit (fen and cents as they are).</summary>
    public static double ValueOf(Figure figure) => figure.ValueCase switch
    {
        Figure.ValueOneofCase.AmountFen => figure.AmountFen,
        Figure.ValueOneofCase.AmountUsdCents => figure.AmountUsdCents,
        _ => figure.Quantity,
    };

    private static double Round(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
