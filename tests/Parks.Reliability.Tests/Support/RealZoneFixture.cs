using Google.Protobuf;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Gateway.Api;
using Parks.Rpc;
using Parks.Talent.V1;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Reliability.Tests.Support;

/// <summary>One real zone shared by the classes of the collection (starting eleven hosts costs seconds).</summary>
public sealed class RealZoneFixture : IAsyncLifetime
{
    private Task<Dictionary<UnitRef, string>>? _enterprises;

    public RealZone Zone { get; private set; } = null!;

    /// <summary>A bank (institution) of the finance service's register, for loan applications.</summary>
    public string Bank { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Zone = await RealZone.StartAsync();
        var institutions = new InstitutionService.InstitutionServiceClient(Zone.GatewayChannel);
        Bank = (await institutions.CreateInstitutionAsync(new CreateInstitutionRequest
        {
            InstitutionId = TestIds.New("bank"),
            Institution = new Institution { DisplayName = "Reliability bank", Kind = InstitutionKind.Bank, PartnerProducts = { "loanProducts/innovation-points-loan" } },
        }, Zone.As("operator"))).Institution.Name;
    }

    public async Task DisposeAsync()
    {
        var errors = Zone.Errors.Entries.ToArray();
        await Zone.DisposeAsync();
        // A functional test fails when a server logged an unexpected error.
        if (errors.Length > 0) throw new InvalidOperationException("a host logged errors:\n" + string.Join("\n", errors.Take(20)));
    }

    public void Record(string what, long value) => Figures.Record(what, value);

    public void Record(string what, string value) => Figures.Record(what, value);

    /// <summary>
    /// One enterprise per district and branch park, created by its own unit through the gateway, and known to talent
    /// and finance (their projections are fed by EnterpriseRegistered).
    /// </summary>
    public Task<Dictionary<UnitRef, string>> EnterprisesAsync() => _enterprises ??= CreateEnterprisesAsync();

    private async Task<Dictionary<UnitRef, string>> CreateEnterprisesAsync()
    {
        var result = new Dictionary<UnitRef, string>();
        var client = new EnterpriseService.EnterpriseServiceClient(Zone.GatewayChannel);
        foreach (var unit in AllEnterpriseUnits)
        {
            var uscc = TestUscc.New();
            var caller = unit.Kind == UnitKind.District ? "district-" + unit.Id : "branchpark-" + unit.Id;
            await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = unit.ResourceName, Enterprise = Requests.Enterprise(uscc) }, Zone.As(caller));
            result[unit] = uscc;
        }
        var talents = new TalentService.TalentServiceClient(Zone.GatewayChannel);
        var loans = new LoanService.LoanServiceClient(Zone.GatewayChannel);
        foreach (var uscc in result.Values)
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                try
                {
                    await talents.ListTalentsAsync(new ListTalentsRequest { EmployerUscc = uscc }, Zone.As("operator"));
                    await loans.ListLoanApplicationsAsync(new ListLoanApplicationsRequest { Uscc = uscc }, Zone.As("operator"));
                    return true;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return false; }
            }, $"talent and finance to learn where {uscc} is");
        }
        return result;
    }

    public static IReadOnlyList<UnitRef> AllEnterpriseUnits { get; } =
        [.. Parks.Domain.Zone.Districts.Select(d => UnitRef.District(d.Id)), .. Parks.Domain.Zone.SeedBranchParkIds.Select(UnitRef.Park)];

    /// <summary>The enterprise as stored, read as an operator through the gateway; null when it is not there.</summary>
    public async Task<Enterprise?> ReadEnterpriseAsync(UnitRef unit, string uscc)
    {
        try
        {
            return (await new EnterpriseService.EnterpriseServiceClient(Zone.GatewayChannel)
                .GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"{unit.ResourceName}/enterprises/{uscc}" }, Zone.As("operator"))).Enterprise;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RealZoneCollection : ICollectionFixture<RealZoneFixture>
{
    public const string Name = "real-zone";
}

/// <summary>Requests the matrix sends.</summary>
internal static class Requests
{
    public static Enterprise Enterprise(string uscc) => new()
    {
        Uscc = uscc,
        DisplayName = "可靠性测试企业 " + uscc[^6..],
        Industry = "intelligent-manufacturing",
        RegistrationDate = new Google.Type.Date { Year = 2015, Month = 5, Day = 20 },
    };

    /// <summary>
    /// A request of the method addressed to the unit: the resource field set to the unit (parent) or to a resource
    /// of it (name); for a method acting for an enterprise named by credit code, the unit's enterprise
    /// (<paramref name="enterpriseBound"/>); for a method written by the unit another field names, that field.
    /// </summary>
    public static byte[] Addressed(ExposedMethod method, UnitRef unit, IReadOnlyDictionary<UnitRef, string> enterprises, out bool enterpriseBound)
    {
        enterpriseBound = false;
        var message = method.Descriptor.InputType.Parser.ParseFrom(ByteString.Empty);
        if (method.OwnerUnit is not null) return message.ToByteArray();
        if (method.Authorize is { } authorize)
        {
            Set(message, method.Resource!, "parks/jinpu");
            Set(message, authorize, unit.ResourceName);
            return message.ToByteArray();
        }
        if (method.Resource is not { } field) return message.ToByteArray();
        var leaf = field.Fields[^1].Name;
        if (leaf.Contains("uscc", StringComparison.Ordinal))
        {
            // The Science City has no enterprises: a credit code nobody holds.
            enterpriseBound = enterprises.ContainsKey(unit);
            Set(message, field, enterprises.TryGetValue(unit, out var uscc) ? uscc : TestUscc.New());
        }
        else
        {
            Set(message, field, leaf == "parent" ? unit.ResourceName
                : enterprises.TryGetValue(unit, out var uscc) ? $"{unit.ResourceName}/enterprises/{uscc}"
                : $"{unit.ResourceName}/items/x");
        }
        return message.ToByteArray();
    }

    private static void Set(IMessage message, FieldPath field, string value)
    {
        var current = message;
        foreach (var f in field.Fields.Take(field.Fields.Count - 1))
        {
            var next = (IMessage?)f.Accessor.GetValue(current);
            if (next is null)
            {
                next = f.MessageType.Parser.ParseFrom(ByteString.Empty);
                f.Accessor.SetValue(current, next);
            }
            current = next;
        }
        field.Fields[^1].Accessor.SetValue(current, value);
    }
}

/// <summary>Fresh valid credit codes (organisation code prefix "RL" so they are recognisable in a shared store).</summary>
internal static class TestUscc
{
    private static int _sequence;

    public static string New()
    {
        var n = Interlocked.Increment(ref _sequence);
        // 100,000 per process before they repeat (the heavy process-fault rounds create tens of thousands).
        var body = $"91210200RL{Environment.ProcessId % 100:00}{n % 100000:00000}";
        return UnifiedSocialCreditCode.FromBody(body[..17]).Value;
    }
}

/// <summary>
/// Figures the reliability tests measured, appended at once (test classes run in parallel) to reliability-figures.txt
/// next to the test assembly, for docs/reliability.md. Each line names its case.
/// </summary>
internal static class Figures
{
    private static readonly Lock Gate = new();
    private static readonly string File = Path.Combine(AppContext.BaseDirectory, "reliability-figures.txt");

    static Figures()
    {
        lock (Gate) System.IO.File.AppendAllLines(File, [$"## run {DateTime.UtcNow:u}"]);
    }

    public static void Record(string what, long value) => Record(what, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void Record(string what, string value)
    {
        lock (Gate) System.IO.File.AppendAllLines(File, [$"{what}: {value}"]);
    }
}
