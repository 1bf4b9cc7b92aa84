using Parks.Domain;

namespace Parks.Talent.Domain;

internal enum Degree
{
    Bachelor = 1,
    Master = 2,
    Doctorate = 3,
    Other = 4,
}

internal sealed record TalentDraft(string DisplayName, string EmployerUscc, string Field, bool OverseasReturnee, Degree? Degree);

/// <summary>
/// A talent record (人才): who, employed by which enterprise (a unified social credit code the service knows the
/// location of), in what field. Certifications hang below it.
/// </summary>
internal sealed record TalentRecord(
    string Id,
    string DisplayName,
    string EmployerUscc,
    string Field,
    bool OverseasReturnee,
    Degree? Degree,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "talents";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static TalentRecord Create(string id, TalentDraft d, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("talent_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(d.DisplayName, "display_name", 100);
        v.RequireText(d.Field, "field", 100);
        if (!UnifiedSocialCreditCode.TryParse(d.EmployerUscc, out _, out var reason)) v.Add("employer_uscc", $"invalid unified social credit code: {reason}");
        v.Require(d.Degree is null || Enum.IsDefined(d.Degree.Value), "degree", "is not a known degree");
        v.ThrowIfInvalid();
        return new TalentRecord(id, d.DisplayName.Trim(), d.EmployerUscc, d.Field.Trim(), d.OverseasReturnee, d.Degree, now, now);
    }

    /// <summary>A change of employer; the new employer must be one the service knows (checked by the caller of this).</summary>
    public TalentRecord Update(string? displayName, string? employerUscc, string? field, Degree? degree, DateTimeOffset now)
    {
        var next = this with
        {
            DisplayName = displayName?.Trim() ?? DisplayName,
            EmployerUscc = employerUscc ?? EmployerUscc,
            Field = field?.Trim() ?? Field,
            Degree = degree ?? Degree,
            UpdateTime = now,
        };
        var v = new Validator();
        v.RequireText(next.DisplayName, "display_name", 100);
        v.RequireText(next.Field, "field", 100);
        if (!UnifiedSocialCreditCode.TryParse(next.EmployerUscc, out _, out var reason)) v.Add("employer_uscc", $"invalid unified social credit code: {reason}");
        v.ThrowIfInvalid();
        return next;
    }
}
