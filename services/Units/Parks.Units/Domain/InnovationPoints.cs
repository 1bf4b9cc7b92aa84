using System.Globalization;
using Parks.Domain;

namespace Parks.Units.Domain;

/// <summary>
/// One measured input of a dimension, e.g. invention patents granted. Its points are
/// <c>min(cap, value × numerator / denominator)</c> in centipoints (hundredths of a point, so sums are exact).
/// </summary>
public sealed record PointsInput(
    string Id,
    string NameZh,
    string NameEn,
    string Unit,
    long CentipointsNumerator,
    long CentipointsDenominator,
    long CapCentipoints);

/// <summary>One of the four dimensions of 企业创新积分制 (000:57); 逆向辅助 deducts.</summary>
public sealed record PointsDimension(
    string Id,
    string NameZh,
    string NameEn,
    bool Deducts,
    long CapCentipoints,
    IReadOnlyList<PointsInput> Inputs);

/// <summary>
/// A versioned scoring model. The documents name the four dimensions (000:57) but no weights, formula or
/// thresholds (seeds-domain §1d.3 "[NOT STATED]"), so every model is configuration and the default one is
/// labelled illustrative.
/// </summary>
public sealed record InnovationPointsModel(
    string Version,
    bool Illustrative,
    string Note,
    IReadOnlyList<string> Src,
    IReadOnlyList<PointsDimension> Dimensions)
{
    /// <summary>The four dimensions the documents name (000:57), in order.</summary>
    public static readonly IReadOnlyList<string> DimensionIds = ["tech-innovation", "growth-operation", "positive-auxiliary", "negative-auxiliary"];

    public const int MaxInputs = 64;

    /// <summary>Problems with the model's shape (empty when valid), checked when the models load.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Version)) problems.Add("model version is required");
        var ids = Dimensions.Select(d => d.Id).ToArray();
        if (!ids.SequenceEqual(DimensionIds))
            problems.Add($"model {Version}: dimensions must be exactly {string.Join(", ", DimensionIds)} in that order (000:57), got {string.Join(", ", ids)}");
        foreach (var d in Dimensions)
        {
            var shouldDeduct = d.Id == "negative-auxiliary";
            if (d.Deducts != shouldDeduct) problems.Add($"model {Version}: dimension {d.Id} must {(shouldDeduct ? "" : "not ")}deduct");
            if (d.CapCentipoints <= 0) problems.Add($"model {Version}: dimension {d.Id} needs a positive cap");
            if (d.Inputs.Count == 0) problems.Add($"model {Version}: dimension {d.Id} has no inputs");
        }
        var inputs = Dimensions.SelectMany(d => d.Inputs).ToArray();
        if (inputs.Length > MaxInputs) problems.Add($"model {Version}: at most {MaxInputs} inputs");
        foreach (var duplicate in inputs.GroupBy(i => i.Id).Where(g => g.Count() > 1))
            problems.Add($"model {Version}: input {duplicate.Key} appears more than once");
        foreach (var i in inputs)
        {
            if (i.CentipointsDenominator <= 0) problems.Add($"model {Version}: input {i.Id} needs a positive denominator");
            if (i.CentipointsNumerator < 0) problems.Add($"model {Version}: input {i.Id} needs a non-negative numerator");
            if (i.CapCentipoints <= 0) problems.Add($"model {Version}: input {i.Id} needs a positive cap");
        }
        return problems;
    }

    /// <summary>
    /// Scores the inputs. Every input of the model must be given (so an evaluation explains itself completely),
    /// none other, and none negative.
    /// </summary>
    public PointsScore Score(IReadOnlyDictionary<string, long> inputs, string field = "inputs")
    {
        var v = new Validator();
        var known = Dimensions.SelectMany(d => d.Inputs).ToDictionary(i => i.Id, StringComparer.Ordinal);
        foreach (var (id, value) in inputs)
        {
            if (!known.ContainsKey(id)) v.Add($"{field}[{id}]", $"is not an input of model {Version} (inputs: {string.Join(", ", known.Keys)})");
            else if (value < 0) v.Add($"{field}[{id}]", $"must not be negative (got {value})");
        }
        foreach (var id in known.Keys)
        {
            if (!inputs.ContainsKey(id)) v.Add($"{field}[{id}]", $"is required by model {Version} ({known[id].NameZh}, in {known[id].Unit})");
        }
        v.ThrowIfInvalid();

        var dimensions = new List<DimensionScore>(Dimensions.Count);
        long total = 0;
        foreach (var d in Dimensions)
        {
            var contributions = new List<InputContribution>(d.Inputs.Count);
            long sum = 0;
            foreach (var input in d.Inputs)
            {
                var product = (Int128)inputs[input.Id] * input.CentipointsNumerator / input.CentipointsDenominator;
                var raw = product > long.MaxValue ? long.MaxValue : (long)product;
                var points = Math.Min(raw, input.CapCentipoints);
                contributions.Add(new InputContribution(input.Id, inputs[input.Id], points, raw > input.CapCentipoints));
                sum += points;
            }
            var score = Math.Min(sum, d.CapCentipoints);
            dimensions.Add(new DimensionScore(d.Id, d.Deducts, score, sum > d.CapCentipoints, contributions));
            total += d.Deducts ? -score : score;
        }
        return new PointsScore(total, dimensions);
    }
}

public sealed record InputContribution(string Input, long Value, long Centipoints, bool Capped);

public sealed record DimensionScore(string Dimension, bool Deducts, long Centipoints, bool Capped, IReadOnlyList<InputContribution> Contributions);

public sealed record PointsScore(long TotalCentipoints, IReadOnlyList<DimensionScore> Dimensions);

/// <summary>The models a service knows, one of them current (what an evaluation uses unless it names another).</summary>
public sealed class InnovationPointsModels
{
    private readonly Dictionary<string, InnovationPointsModel> _byVersion;

    public InnovationPointsModels(IEnumerable<InnovationPointsModel> models, string currentVersion)
    {
        _byVersion = models.ToDictionary(m => m.Version, StringComparer.Ordinal);
        var problems = _byVersion.Values.SelectMany(m => m.Problems()).ToList();
        if (!_byVersion.ContainsKey(currentVersion)) problems.Add($"current model version '{currentVersion}' is not among the models ({string.Join(", ", _byVersion.Keys)})");
        if (problems.Count > 0) throw new InvalidOperationException("invalid innovation-points models: " + string.Join("; ", problems));
        Current = _byVersion[currentVersion];
    }

    public InnovationPointsModel Current { get; }

    public IReadOnlyCollection<InnovationPointsModel> All => _byVersion.Values;

    /// <summary>The named model, or the current one for null/empty/"current".</summary>
    public InnovationPointsModel Get(string? version, string field = "model_version")
    {
        if (string.IsNullOrEmpty(version) || version == "current") return Current;
        return _byVersion.TryGetValue(version, out var model)
            ? model
            : throw new NotFoundException("InnovationPointsModel", $"innovationPointsModels/{version}");
    }
}

/// <summary>
/// An enterprise's innovation-points evaluation for one year (企业创新积分, 000:57), with the model version and
/// the inputs it was computed from, so it can be explained and recomputed.
/// </summary>
public sealed record InnovationPointsEvaluation
{
    public const int FirstYear = 2020;  // the first published evaluation year, 2020年度 (000:57)

    public required string Uscc { get; init; }
    public required UnitRef Unit { get; init; }
    public required string DisplayName { get; init; }
    public required int Year { get; init; }
    public required string ModelVersion { get; init; }
    public required bool ModelIllustrative { get; init; }
    public required IReadOnlyDictionary<string, long> Inputs { get; init; }
    public required PointsScore Score { get; init; }
    public bool Demo { get; init; }
    public int Revision { get; init; } = 1;
    public DateTimeOffset EvaluateTime { get; init; }

    public string Name => ResourceNames.InnovationPoints(Unit, Uscc, Year);

    public static InnovationPointsEvaluation Evaluate(
        Enterprise enterprise, int year, InnovationPointsModel model, IReadOnlyDictionary<string, long> inputs,
        InnovationPointsEvaluation? previous, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        if (year < FirstYear || year > today.Year)
            v.Add("year", $"must be between {FirstYear} (the first evaluation year, 000:57) and the current year {today.Year.ToString(CultureInfo.InvariantCulture)}");
        v.ThrowIfInvalid();
        if (enterprise.Status != EnterpriseStatus.Operating)
            throw new FailedPreconditionException("ENTERPRISE_STATUS", enterprise.Name, $"enterprise {enterprise.Name} is deregistered; only operating enterprises are evaluated");
        if (enterprise.RegistrationDate.Year > year)
            throw new FailedPreconditionException("EVALUATION_YEAR", enterprise.Name, $"enterprise {enterprise.Uscc} was registered in {enterprise.RegistrationDate.Year.ToString(CultureInfo.InvariantCulture)}, after the evaluation year {year.ToString(CultureInfo.InvariantCulture)}");
        var score = model.Score(inputs);
        return new InnovationPointsEvaluation
        {
            Uscc = enterprise.Uscc,
            Unit = enterprise.Unit,
            DisplayName = enterprise.DisplayName,
            Year = year,
            ModelVersion = model.Version,
            ModelIllustrative = model.Illustrative,
            Inputs = new SortedDictionary<string, long>(inputs.ToDictionary(), StringComparer.Ordinal),
            Score = score,
            Demo = enterprise.Demo,
            Revision = (previous?.Revision ?? 0) + 1,
            EvaluateTime = now,
        };
    }
}
