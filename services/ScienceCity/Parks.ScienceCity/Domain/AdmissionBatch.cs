using Parks.Domain;

namespace Parks.ScienceCity.Domain;

/// <summary>
/// A batch of labs and pilot bases lined up for admission into the Science City. The first batch had 233
/// (梳理了首批233个各级实验室、中小试验基地入驻科学城, 001:75): that is the batch's planned size; the listed and
/// admitted counts are what has been recorded here, platform by platform.
/// </summary>
internal sealed record AdmissionBatch(
    string Id,
    string DisplayName,
    int PlannedCount,
    int ListedCount,
    int AdmittedCount,
    string? Source)
{
    public const string Collection = "scienceCity/admissionBatches";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static AdmissionBatch Create(string id, string displayName, int plannedCount, string? source)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("admission_batch_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(displayName, "display_name");
        v.Require(plannedCount > 0, "planned_count", $"must be positive (got {plannedCount})");
        v.ThrowIfInvalid();
        return new AdmissionBatch(id, displayName.Trim(), plannedCount, 0, 0, source);
    }

    /// <summary>Counts one more listed platform; a batch holds no more than its planned size.</summary>
    public AdmissionBatch CountListed()
    {
        if (ListedCount >= PlannedCount)
        {
            throw new OutOfRangeException("admission_batch",
                $"admission batch '{Id}' is full: {ListedCount} of {PlannedCount} platforms are already listed");
        }
        return this with { ListedCount = ListedCount + 1 };
    }

    /// <summary>A declined platform leaves the batch's list.</summary>
    public AdmissionBatch CountDeclined() => this with { ListedCount = Math.Max(0, ListedCount - 1) };

    public AdmissionBatch CountAdmitted() => this with { AdmittedCount = AdmittedCount + 1 };
}
