using System.Globalization;

namespace Parks.Gateway.Domain;

/// <summary>An indicator a unit reports, as its definition names it.</summary>
internal sealed record IndicatorInfo(string Id, string NameZh, string NameEn, string UnitOfMeasure, string Scope);

/// <summary>One reported value (actual or target) of an indicator for a period; money in fen.</summary>
internal sealed record IndicatorValue(string Indicator, string Breakdown, string Period, double Value);

/// <summary>What the overview shows of one indicator of a unit against its target.</summary>
internal sealed record IndicatorStanding(
    IndicatorInfo Info, string Breakdown, string TargetPeriod, double Target, string? ActualPeriod, double? Actual, double? CompletionPercent, bool BehindTarget);

/// <summary>
/// A unit's indicators against their targets (the project's method; the documents give none):
/// <list type="bullet">
/// <item>the target of the "current period" is, per indicator and breakdown, the earliest target whose period has not
/// ended yet, else the latest one;</item>
/// <item>the actual compared with it is the latest reported for a period of the same length (year, half, quarter,
/// month) ending no later than the target's;</item>
/// <item>completion = actual / target;</item>
/// <item>behind target: for the target's own period, the actual is below the target; for an earlier period, the actual
/// is below the straight line from the previous actual of that length to the target, at the actual's period end
/// (without a previous actual, nothing says it is behind).</item>
/// </list>
/// A period the units' periods do not name (YYYY, YYYY-H1/H2, YYYY-Q1…Q4, YYYY-MM) is ignored.
/// </summary>
internal static class IndicatorProgressRules
{
    public static IReadOnlyList<IndicatorStanding> Compute(IEnumerable<IndicatorInfo> definitions, IEnumerable<IndicatorValue> targets, IEnumerable<IndicatorValue> actuals, DateOnly today)
    {
        var info = definitions.GroupBy(d => d.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var reported = actuals.Select(a => (Value: a, Period: Period.TryParse(a.Period))).Where(a => a.Period is not null)
            .ToLookup(a => (a.Value.Indicator, a.Value.Breakdown));
        var result = new List<IndicatorStanding>();
        foreach (var series in targets.Select(t => (Value: t, Period: Period.TryParse(t.Period))).Where(t => t.Period is not null)
                     .GroupBy(t => (t.Value.Indicator, t.Value.Breakdown)).OrderBy(g => g.Key.Indicator, StringComparer.Ordinal).ThenBy(g => g.Key.Breakdown, StringComparer.Ordinal))
        {
            var ordered = series.OrderBy(t => t.Period!.End).ThenBy(t => t.Period!.Start).ToArray();
            var (target, targetPeriod) = ordered.FirstOrDefault(t => t.Period!.End >= today) is { Value: not null } ahead ? ahead : ordered[^1];
            var sameLength = reported[series.Key].Where(a => a.Period!.Length == targetPeriod!.Length && a.Period.End <= targetPeriod.End)
                .OrderBy(a => a.Period!.End).ToArray();
            var definition = info.TryGetValue(series.Key.Indicator, out var d) ? d : new IndicatorInfo(series.Key.Indicator, series.Key.Indicator, series.Key.Indicator, "", "");
            if (sameLength.Length == 0)
            {
                result.Add(new IndicatorStanding(definition, series.Key.Breakdown, target.Period, target.Value, null, null, null, false));
                continue;
            }
            var (latest, latestPeriod) = sameLength[^1];
            double? completion = target.Value != 0 ? Math.Round(latest.Value / target.Value * 100, 1) : null;
            bool behind;
            if (latestPeriod!.End == targetPeriod!.End) behind = latest.Value < target.Value;
            else if (sameLength.Length >= 2)
            {
                var (previous, previousPeriod) = sameLength[^2];
                var span = targetPeriod.End.DayNumber - previousPeriod!.End.DayNumber;
                var elapsed = latestPeriod.End.DayNumber - previousPeriod.End.DayNumber;
                var pace = previous.Value + (target.Value - previous.Value) * elapsed / span;
                behind = latest.Value < pace;
            }
            else behind = false;
            result.Add(new IndicatorStanding(definition, series.Key.Breakdown, target.Period, target.Value, latest.Period, latest.Value, completion, behind));
        }
        return result;
    }

    /// <summary>A reporting period: its first and last day and its length in months.</summary>
    internal sealed record Period(DateOnly Start, DateOnly End, int Length)
    {
        public static Period? TryParse(string text)
        {
            if (text.Length < 4 || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 1900) return null;
            var rest = text[4..];
            (int FirstMonth, int Months)? span = rest switch
            {
                "" => (1, 12),
                "-H1" => (1, 6),
                "-H2" => (7, 6),
                "-Q1" => (1, 3),
                "-Q2" => (4, 3),
                "-Q3" => (7, 3),
                "-Q4" => (10, 3),
                _ when rest.Length == 3 && rest[0] == '-' && int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12 => (m, 1),
                _ => null,
            };
            if (span is not { } s) return null;
            var start = new DateOnly(year, s.FirstMonth, 1);
            return new Period(start, start.AddMonths(s.Months).AddDays(-1), s.Months);
        }
    }
}
