using Parks.Hosting.State;

namespace Parks.ScienceCity.Storage;

/// <summary>State keys of the Science City service: <c>parks:sciencecity:zone:{aggregate}:{id}</c>.</summary>
internal static class ScienceCityKeys
{
    public const string Service = "sciencecity";
    private const string Scope = "zone";

    public static string Platform(string id) => StateKeys.For(Service, Scope, "platform", id);
    public static string AdmissionBatch(string id) => StateKeys.For(Service, Scope, "admission-batch", id);
    public static string ResearchProject(string id) => StateKeys.For(Service, Scope, "research-project", id);
    public static string TechContract(string id) => StateKeys.For(Service, Scope, "tech-contract", id);
    public static string TechContractNumber(string registrationNumber) => StateKeys.For(Service, Scope, "tech-contract-number", registrationNumber);
    public static string Turnover(int year) => StateKeys.For(Service, Scope, "tech-contract-turnover", year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));

    public static string Index(string name) => StateKeys.Index(Service, Scope, name);
}

/// <summary>Ids for resources created without a client-chosen id: a letter and a time-ordered GUID, so lists come out in creation order.</summary>
internal static class Ids
{
    public static string New(char prefix) => prefix + Guid.CreateVersion7().ToString("N");
}
