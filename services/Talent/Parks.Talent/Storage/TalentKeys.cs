using System.Globalization;
using Parks.Hosting.State;

namespace Parks.Talent.Storage;

/// <summary>State keys of the talent service: <c>parks:talent:zone:{aggregate}:{id}</c>.</summary>
internal static class TalentKeys
{
    public const string Service = "talent";
    private const string Scope = "zone";

    public static string Location(string uscc) => StateKeys.For(Service, Scope, "enterprise-location", uscc);
    public static string Talent(string id) => StateKeys.For(Service, Scope, "talent", id);
    public static string Certification(string talentId, string id) => StateKeys.For(Service, Scope, "certification", $"{talentId}:{id}");
    public static string Request(string id) => StateKeys.For(Service, Scope, "service-request", id);
    public static string Edition(string id) => StateKeys.For(Service, Scope, "roadshow-edition", id);
    public static string EditionCounts(string id) => StateKeys.For(Service, Scope, "roadshow-edition-counts", id);
    public static string Project(string editionId, string id) => StateKeys.For(Service, Scope, "roadshow-project", $"{editionId}:{id}");

    public static string Index(string name) => StateKeys.Index(Service, Scope, name);

    public static readonly string Talents = Index("talents");
    public static string TalentsOfEmployer(string uscc) => Index($"talents-employer:{uscc}");
    public static string CertificationsOf(string talentId) => Index($"certifications:{talentId}");
    public static string CertifiedAt(Domain.TalentLevel level) => Index($"certifications-certified:{level}");
    public static readonly string Requests = Index("service-requests");
    public static string RequestsOf(string talentId) => Index($"service-requests-talent:{talentId}");
    /// <summary>Open requests ordered by due time: members "{due ticks, 19 digits}|{id}".</summary>
    public static readonly string OpenByDue = Index("service-requests-open-by-due");
    /// <summary>Every open request (flagged overdue or not) by due time, members like <see cref="OpenByDue"/>: what the statistics count.</summary>
    public static readonly string Open = Index("service-requests-open");
    public static readonly string Editions = Index("roadshow-editions");
    public static string ProjectsOf(string editionId) => Index($"roadshow-projects:{editionId}");

    public static string DueMember(DateTimeOffset due, string id) => due.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + id;
}

/// <summary>Ids for resources created without a client-chosen id: a letter and a time-ordered GUID.</summary>
internal static class Ids
{
    public static string New(char prefix) => prefix + Guid.CreateVersion7().ToString("N");
}
