using System.Globalization;
using Parks.Domain;

namespace Parks.Units.Domain;

public enum PeriodKind
{
    Year = 1,
    HalfYear = 2,
    Quarter = 3,
    Month = 4,
}

/// <summary>A reporting period: <c>2023</c>, <c>2023-H1</c>, <c>2023-Q3</c> or <c>2023-07</c>.</summary>
public readonly record struct IndicatorPeriod(int Year, PeriodKind Kind, int Index)
{
    /// <summary>The zone was approved in March 1991 (000:152); nothing is reported for earlier periods.</summary>
    public const int FirstYear = 1991;
    public const int LastYear = 2100;

    public DateOnly Start => Kind switch
    {
        PeriodKind.Year => new DateOnly(Year, 1, 1),
        PeriodKind.HalfYear => new DateOnly(Year, Index == 1 ? 1 : 7, 1),
        PeriodKind.Quarter => new DateOnly(Year, (Index - 1) * 3 + 1, 1),
        _ => new DateOnly(Year, Index, 1),
    };

    public DateOnly End => Kind switch
    {
        PeriodKind.Year => new DateOnly(Year, 12, 31),
        PeriodKind.HalfYear => Start.AddMonths(6).AddDays(-1),
        PeriodKind.Quarter => Start.AddMonths(3).AddDays(-1),
        _ => Start.AddMonths(1).AddDays(-1),
    };

    public override string ToString() => Kind switch
    {
        PeriodKind.Year => Year.ToString(CultureInfo.InvariantCulture),
        PeriodKind.HalfYear => $"{Year.ToString(CultureInfo.InvariantCulture)}-H{Index.ToString(CultureInfo.InvariantCulture)}",
        PeriodKind.Quarter => $"{Year.ToString(CultureInfo.InvariantCulture)}-Q{Index.ToString(CultureInfo.InvariantCulture)}",
        _ => $"{Year.ToString(CultureInfo.InvariantCulture)}-{Index.ToString("00", CultureInfo.InvariantCulture)}",
    };

    public static bool TryParse(string? text, out IndicatorPeriod period, out string reason)
    {
        period = default;
        reason = "must be YYYY, YYYY-H1/H2, YYYY-Q1…Q4 or YYYY-MM";
        if (string.IsNullOrEmpty(text) || text.Length < 4) { reason = string.IsNullOrEmpty(text) ? "is required" : reason; return false; }
        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return false;
        if (year is < FirstYear or > LastYear)
        {
            reason = $"year must be between {FirstYear} (the zone's founding, 000:152) and {LastYear}";
            return false;
        }
        if (text.Length == 4) { period = new(year, PeriodKind.Year, 1); return true; }
        if (text.Length != 7 || text[4] != '-') return false;
        var tail = text.AsSpan(5);
        switch (tail[0])
        {
            case 'H' when tail[1] is '1' or '2':
                period = new(year, PeriodKind.HalfYear, tail[1] - '0');
                return true;
            case 'Q' when tail[1] is >= '1' and <= '4':
                period = new(year, PeriodKind.Quarter, tail[1] - '0');
                return true;
            default:
                if (int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12)
                {
                    period = new(year, PeriodKind.Month, month);
                    return true;
                }
                return false;
        }
    }
}

public enum ObservationKind
{
    Unspecified = 0,
    Actual = 1,
    Target = 2,
}

/// <summary>How a figure is stated in the documents (seed-data meta.qualifiers).</summary>
public enum Qualifier
{
    Unspecified = 0,
    /// <summary>Stated exactly.</summary>
    Eq = 1,
    /// <summary>超过/突破: strictly more than.</summary>
    Gt = 2,
    /// <summary>以上/不低于/不少于: at least.</summary>
    Gte = 3,
    Lt = 4,
    /// <summary>不超过/最高: at most.</summary>
    Lte = 5,
    /// <summary>余/多: a bit more than.</summary>
    ApproxMore = 6,
    /// <summary>约/左右: about.</summary>
    Approx = 7,
}

/// <summary>
/// An indicator a unit reports or targets. <see cref="Unit"/> is the unit of measure: money indicators use
/// <c>fen</c> (values in integer fen); others <c>count</c>, <c>percent</c>, <c>persons</c>, …
/// </summary>
public sealed record IndicatorDefinition(
    string Id,
    string NameZh,
    string NameEn,
    string Unit,
    bool Integer,
    double? Min,
    double? Max,
    bool AnnualOnly,
    IReadOnlyList<string>? AppliesTo,
    string? Scope,
    IReadOnlyList<string> Src)
{
    public const string Money = "fen";

    public bool IsMoney => Unit == Money;

    public bool AppliesToUnit(UnitRef unit) => AppliesTo is null || AppliesTo.Contains(unit.ResourceName);
}

public sealed class IndicatorCatalog
{
    private readonly Dictionary<string, IndicatorDefinition> _byId;

    public IndicatorCatalog(IEnumerable<IndicatorDefinition> definitions)
    {
        _byId = definitions.ToDictionary(d => d.Id, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<IndicatorDefinition> All => _byId.Values;

    public IEnumerable<IndicatorDefinition> For(UnitRef unit) => _byId.Values.Where(d => d.AppliesToUnit(unit)).OrderBy(d => d.Id, StringComparer.Ordinal);

    public IndicatorDefinition? Find(string? id) => id is null ? null : _byId.GetValueOrDefault(id);
}

/// <summary>The caller's observation (fields unchecked).</summary>
public sealed record ObservationDraft(
    string? Indicator,
    string? Period,
    ObservationKind Kind,
    string? Breakdown,
    long? AmountFen,
    double? Quantity,
    string? UnitOfMeasure,
    Qualifier Qualifier,
    string? Note);

/// <summary>
/// One reported value (actual) or planned value (target) of an indicator for a period, optionally for one
/// breakdown (e.g. a sector). Seeded observations carry their document citation in <see cref="Src"/>.
/// </summary>
public sealed record Observation
{
    public required UnitRef Unit { get; init; }
    public required string Indicator { get; init; }
    public required string Period { get; init; }
    public required ObservationKind Kind { get; init; }
    public string? Breakdown { get; init; }
    public long? AmountFen { get; init; }
    public double? Quantity { get; init; }
    public required string UnitOfMeasure { get; init; }
    public Qualifier Qualifier { get; init; } = Qualifier.Eq;
    public string? Note { get; init; }
    /// <summary>Document citation (file:line) for figures loaded from the policy documents.</summary>
    public string? Src { get; init; }
    /// <summary>Where the figure belongs when it is not the unit's own (e.g. "area:jinpu-new-area", the host area of 金普分园).</summary>
    public string? Scope { get; init; }
    public bool Demo { get; init; }
    public int Revision { get; init; } = 1;
    public DateTimeOffset ReportTime { get; init; }

    /// <summary>The observation's id within its indicator: <c>{kind}-{period}[-{breakdown}]</c>, e.g. <c>target-2019-ai</c>.</summary>
    public string Id => ObservationId(Kind, Period, Breakdown);

    public string Name => $"{ResourceNames.Indicator(Unit, Indicator)}/observations/{Id}";

    public static string ObservationId(ObservationKind kind, string period, string? breakdown) =>
        $"{(kind == ObservationKind.Target ? "target" : "actual")}-{period}{(breakdown is null ? "" : "-" + breakdown)}";

    public static Observation Create(UnitRef unit, ObservationDraft d, IndicatorCatalog catalog, Observation? previous, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        var definition = catalog.Find(d.Indicator);
        if (string.IsNullOrEmpty(d.Indicator)) v.Add("observation.indicator", "is required");
        else if (definition is null || !definition.AppliesToUnit(unit))
            v.Add("observation.indicator", $"'{d.Indicator}' is not an indicator of {unit} (see ListIndicatorDefinitions)");
        if (d.Kind is not (ObservationKind.Actual or ObservationKind.Target)) v.Add("observation.kind", "must be ACTUAL or TARGET");

        var periodOk = IndicatorPeriod.TryParse(d.Period, out var period, out var periodReason);
        if (!periodOk) v.Add("observation.period", $"'{d.Period}' {periodReason}");
        else if (definition is { AnnualOnly: true } && period.Kind != PeriodKind.Year) v.Add("observation.period", $"{definition.Id} is reported per year only (YYYY)");
        else if (d.Kind == ObservationKind.Actual && period.End > today)
            v.Add("observation.period", $"an actual for {period} can be reported once the period has ended ({Enterprise.Iso(period.End)}); plans are TARGET observations");

        if (d.Breakdown is not null && !ResourceNames.IsValidChildId(d.Breakdown))
            v.Add("observation.breakdown", "must be lower-case letters, digits and '-', 2-63 characters, starting with a letter");
        Enterprise.CheckOptional(v, d.Note, 200, "observation.note");
        if (d.Qualifier is < Qualifier.Unspecified or > Qualifier.Approx) v.Add("observation.qualifier", $"unknown qualifier {(int)d.Qualifier}");

        if (definition is not null)
        {
            if (d.UnitOfMeasure != definition.Unit)
                v.Add("observation.unit_of_measure", $"'{d.UnitOfMeasure}' does not match {definition.Id}, which is measured in '{definition.Unit}'");
            if (definition.IsMoney)
            {
                if (d.AmountFen is null) v.Add("observation.amount_fen", $"is required: {definition.Id} is an amount of money in fen");
                if (d.Quantity is not null) v.Add("observation.quantity", $"must not be set: {definition.Id} is an amount of money (use amount_fen)");
                if (d.AmountFen is { } fen) CheckRange(v, definition, fen, "observation.amount_fen");
            }
            else
            {
                if (d.Quantity is null) v.Add("observation.quantity", $"is required: {definition.Id} is measured in {definition.Unit}");
                if (d.AmountFen is not null) v.Add("observation.amount_fen", $"must not be set: {definition.Id} is not money (use quantity)");
                if (d.Quantity is { } q)
                {
                    if (!double.IsFinite(q)) v.Add("observation.quantity", "must be a finite number");
                    else
                    {
                        if (definition.Integer && q != Math.Floor(q)) v.Add("observation.quantity", $"{definition.Id} counts whole {definition.Unit}; got {q.ToString(CultureInfo.InvariantCulture)}");
                        CheckRange(v, definition, q, "observation.quantity");
                    }
                }
            }
        }
        v.ThrowIfInvalid();

        return new Observation
        {
            Unit = unit,
            Indicator = definition!.Id,
            Period = period.ToString(),
            Kind = d.Kind,
            Breakdown = d.Breakdown,
            AmountFen = d.AmountFen,
            Quantity = d.Quantity,
            UnitOfMeasure = definition.Unit,
            Qualifier = d.Qualifier == Qualifier.Unspecified ? Qualifier.Eq : d.Qualifier,
            Note = Enterprise.Normalize(d.Note),
            Scope = definition.Scope,
            Demo = previous?.Demo ?? false,
            Revision = (previous?.Revision ?? 0) + 1,
            ReportTime = now,
        };
    }

    private static void CheckRange(Validator v, IndicatorDefinition definition, double value, string field)
    {
        if (definition.Min is { } min && value < min)
            v.Add(field, $"must be at least {min.ToString(CultureInfo.InvariantCulture)} for {definition.Id} (got {value.ToString(CultureInfo.InvariantCulture)})");
        if (definition.Max is { } max && value > max)
            v.Add(field, $"must be at most {max.ToString(CultureInfo.InvariantCulture)} for {definition.Id} (got {value.ToString(CultureInfo.InvariantCulture)})");
    }
}
