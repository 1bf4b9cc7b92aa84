using System.Globalization;
using System.Text;
using Google.Protobuf;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Gateway.Api;
using Parks.Gateway.Domain;
using Parks.Gateway.Security;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;
using Parks.Talent.V1;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 6: tenant isolation through the real gateway to the real services. Every caller (Science City, six districts,
/// five branch parks, dashboard, operator) × every write method the gateway exposes × every unit, with good and bad
/// credentials, forged identity metadata and bodies naming another unit; then the stored records are read back: the
/// only writes that exist are the ones acknowledged to callers allowed to make them.
/// </summary>
[Collection(RealZoneCollection.Name)]
public sealed class TenantIsolationTests(RealZoneFixture fixture)
{
    private RealZone Zone => fixture.Zone;

    private static readonly IReadOnlyList<UnitRef> EnterpriseUnits =
        [.. Parks.Domain.Zone.Districts.Select(d => UnitRef.District(d.Id)), .. Parks.Domain.Zone.SeedBranchParkIds.Select(UnitRef.Park)];

    private static readonly IReadOnlyList<UnitRef> AllUnits = [UnitRef.ScienceCity, .. EnterpriseUnits];

    /// <summary>The unit a caller acts for; null for the dashboard and operators.</summary>
    private static UnitRef? UnitOf(string caller) =>
        caller == "sciencecity" ? UnitRef.ScienceCity
        : caller.StartsWith("district-", StringComparison.Ordinal) ? UnitRef.District(caller["district-".Length..])
        : caller.StartsWith("branchpark-", StringComparison.Ordinal) ? UnitRef.Park(caller["branchpark-".Length..])
        : null;

    [Fact]
    public async Task Every_caller_times_every_exposed_write_method_times_every_unit_is_refused_unless_it_owns_the_unit()
    {
        var invoker = Zone.GatewayChannel.CreateRawCallInvoker();
        var enterprises = await fixture.EnterprisesAsync();
        var mismatches = new List<string>();
        var cells = 0;
        var refused = 0;
        foreach (var method in Zone.AllowList.WriteMethods)
        {
            var units = method.OwnerUnit is { } owner ? [owner] : AllUnits;
            foreach (var caller in RealZone.Callers)
            {
                foreach (var unit in units)
                {
                    var request = Requests.Addressed(method, unit, enterprises, out var enterpriseBound);
                    var status = await CallAsync(invoker, method, request, Zone.As(caller));
                    cells++;
                    var own = UnitOf(caller) is { } mine && mine == unit;
                    var mayWrite = caller.StartsWith("operator", StringComparison.Ordinal)
                        || (own && method.Access != AccessKind.WriteOperator && caller != "dashboard");
                    if (!mayWrite)
                    {
                        refused++;
                        // Refused by the gateway (unit writes, operator methods, the dashboard): PERMISSION_DENIED. Writes for
                        // an enterprise are decided by the shared service, which validates this incomplete request first
                        // (INVALID_ARGUMENT is then fine: nothing is written); complete requests are
                        // Talent_and_finance_act_for_an_enterprise_only_for_its_own_unit's, which demands PERMISSION_DENIED.
                        var gatewayDecides = method.Access != AccessKind.WriteEnterprise || caller == "dashboard";
                        var acceptable = gatewayDecides ? status.Code == StatusCode.PermissionDenied
                            : status.Code is StatusCode.PermissionDenied or StatusCode.InvalidArgument || (!enterpriseBound && status.Code == StatusCode.NotFound);
                        if (!acceptable)
                            mismatches.Add($"{caller} {method.FullName} {unit}: expected PERMISSION_DENIED, got {status.Code} {status.Detail}");
                    }
                    else if (status.Code is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
                    {
                        mismatches.Add($"{caller} {method.FullName} {unit}: the owner was refused: {status.Code} {status.Detail}");
                    }
                    else if (status.Code is StatusCode.Internal or StatusCode.Unknown)
                    {
                        mismatches.Add($"{caller} {method.FullName} {unit}: {status.Code} {status.Detail}");
                    }
                }
            }
        }
        fixture.Record("tenant isolation: matrix cells (caller x write method x unit)", cells);
        fixture.Record("tenant isolation: matrix cells that had to be refused", refused);
        var summary = mismatches.GroupBy(m => string.Join(' ', m.Split(' ').Where((_, i) => i != 0 && i != 2).Take(6))).Select(g => $"{g.Count()} x {g.Key}");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cells} cells disagree:\n" + string.Join("\n", summary));
    }

    [Fact]
    public async Task Missing_wrong_expired_replayed_or_borrowed_credentials_write_nothing_through_any_write_method()
    {
        var invoker = Zone.GatewayChannel.CreateRawCallInvoker();
        var enterprises = await fixture.EnterprisesAsync();
        var lingshui = UnitRef.District("lingshui");
        var mismatches = new List<string>();
        var calls = 0;
        foreach (var method in Zone.AllowList.WriteMethods)
        {
            var unit = method.OwnerUnit ?? lingshui;
            var caller = unit == UnitRef.ScienceCity ? "sciencecity" : "district-lingshui";
            var request = Requests.Addressed(method, unit, enterprises, out _);
            var path = method.Raw.FullName;
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var replayed = Signed(caller, ts, path);
            // The first use of the token is legitimate (whatever the backend answers); its replay must be refused.
            await CallAsync(invoker, method, request, new CallOptions(replayed, DateTime.UtcNow.AddSeconds(30)));
            var attempts = new (string Kind, Metadata Headers)[]
            {
                ("missing", []),
                ("wrong key", new Metadata { { "authorization", "Bearer wrong-" + Guid.NewGuid().ToString("N") } }),
                ("expired token", Signed(caller, ts - 3600, path)),
                ("future token", Signed(caller, ts + 3600, path)),
                ("replayed token", replayed),
                ("token for another method", Signed(caller, ts, "/parks.units.v1.EnterpriseService/GetEnterprise")),
                ("token signed with another caller's key", SignedWithKeyOf("district-qixianling", caller, ts, path)),
                ("forged identity metadata only", new Metadata
                {
                    { "x-parks-caller", caller }, { "x-parks-caller-role", "operator" }, { "x-parks-caller-unit", unit.ResourceName },
                    { "x-parks-caller-sig", "00" },
                }),
            };
            foreach (var (kind, headers) in attempts)
            {
                var status = await CallAsync(invoker, method, request, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)));
                calls++;
                if (status.Code != StatusCode.Unauthenticated) mismatches.Add($"{kind} {method.FullName}: expected UNAUTHENTICATED, got {status.Code} {status.Detail}");
            }
        }
        fixture.Record("tenant isolation: write calls with bad credentials", calls);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(60)));
    }

    [Fact]
    public async Task Enterprise_writes_succeed_only_for_the_owning_unit_and_read_back_shows_no_other()
    {
        var acknowledged = new List<(string Caller, UnitRef Unit, string Uscc)>();
        var refusedUsccs = new List<(string Caller, UnitRef Unit, string Uscc)>();
        var mismatches = new List<string>();
        foreach (var unit in EnterpriseUnits)
        {
            foreach (var caller in RealZone.Callers)
            {
                var uscc = TestUscc.New();
                var client = new EnterpriseService.EnterpriseServiceClient(Zone.GatewayChannel);
                var status = await StatusOf(() => client.CreateEnterpriseAsync(new CreateEnterpriseRequest
                {
                    Parent = unit.ResourceName,
                    Enterprise = Requests.Enterprise(uscc),
                }, Zone.As(caller)).ResponseAsync);
                var allowed = caller == "operator" || UnitOf(caller) == unit;
                if (status.Code == StatusCode.OK) acknowledged.Add((caller, unit, uscc));
                else refusedUsccs.Add((caller, unit, uscc));
                if (allowed != (status.Code == StatusCode.OK)) mismatches.Add($"{caller} CreateEnterprise in {unit}: {status.Code} {status.Detail}");
                if (!allowed && status.Code != StatusCode.PermissionDenied) mismatches.Add($"{caller} CreateEnterprise in {unit}: expected PERMISSION_DENIED, got {status.Code}");
            }
        }

        // Updates of one enterprise per unit by everyone: only its owner's and the operator's changes stick.
        var enterprises = await fixture.EnterprisesAsync();
        var updates = 0;
        foreach (var unit in EnterpriseUnits)
        {
            foreach (var caller in RealZone.Callers)
            {
                var client = new EnterpriseService.EnterpriseServiceClient(Zone.GatewayChannel);
                var marker = $"updated by {caller}";
                var status = await StatusOf(() => client.UpdateEnterpriseAsync(new UpdateEnterpriseRequest
                {
                    Enterprise = new Enterprise { Name = $"{unit.ResourceName}/enterprises/{enterprises[unit]}", DisplayName = marker },
                    UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } },
                }, Zone.As(caller)).ResponseAsync);
                updates++;
                var allowed = caller == "operator" || UnitOf(caller) == unit;
                if (allowed != (status.Code == StatusCode.OK)) mismatches.Add($"{caller} UpdateEnterprise in {unit}: {status.Code} {status.Detail}");
                var stored = await fixture.ReadEnterpriseAsync(unit, enterprises[unit]);
                if (status.Code == StatusCode.OK != (stored?.DisplayName == marker)) mismatches.Add($"{caller} UpdateEnterprise in {unit}: status {status.Code} but stored name '{stored?.DisplayName}'");
            }
        }

        // Read back: every acknowledged create is where it was written, every refused one nowhere in the zone.
        var crossTenant = 0;
        foreach (var (caller, unit, uscc) in acknowledged)
        {
            if (await fixture.ReadEnterpriseAsync(unit, uscc) is null) mismatches.Add($"acknowledged create by {caller} in {unit} is missing");
            if (caller != "operator" && UnitOf(caller) != unit) crossTenant++;
        }
        foreach (var (caller, unit, uscc) in refusedUsccs)
        {
            foreach (var anywhere in EnterpriseUnits)
            {
                if (await fixture.ReadEnterpriseAsync(anywhere, uscc) is not null) { crossTenant++; mismatches.Add($"refused create by {caller} in {unit} exists in {anywhere}"); }
            }
        }
        fixture.Record("tenant isolation: enterprise creates tried (11 units x 14 callers)", acknowledged.Count + refusedUsccs.Count);
        fixture.Record("tenant isolation: enterprise creates acknowledged", acknowledged.Count);
        fixture.Record("tenant isolation: enterprise updates tried", updates);
        fixture.Record("tenant isolation: cross-tenant enterprise writes found on read-back", crossTenant);
        Assert.Equal(0, crossTenant);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(60)));
    }

    [Fact]
    public async Task A_body_naming_another_unit_writes_nothing_there()
    {
        var client = new EnterpriseService.EnterpriseServiceClient(Zone.GatewayChannel);
        var lingshui = Zone.As("district-lingshui");
        var mismatches = new List<string>();

        // The enterprise's own name in the body points at another district: the record may only land in the routed, checked unit.
        var uscc = TestUscc.New();
        var enterprise = Requests.Enterprise(uscc);
        enterprise.Name = $"districts/qixianling/enterprises/{uscc}";
        var created = await StatusOf(() => client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = enterprise }, lingshui).ResponseAsync);
        if (await fixture.ReadEnterpriseAsync(UnitRef.District("qixianling"), uscc) is not null) mismatches.Add("a create naming qixianling in its body wrote into qixianling");
        if (created.Code == StatusCode.OK && await fixture.ReadEnterpriseAsync(UnitRef.District("lingshui"), uscc) is null) mismatches.Add("acknowledged create is missing in lingshui");

        // A referral "from" another district, and a relocation of another district's enterprise.
        var enterprises = await fixture.EnterprisesAsync();
        var projects = new InvestmentProjectService.InvestmentProjectServiceClient(Zone.GatewayChannel);
        var referral = await StatusOf(() => projects.CreateReferralAsync(new CreateReferralRequest
        {
            Parent = "parks/jinpu",
            Referral = new Referral { FromUnit = "districts/qixianling", DisplayName = "forged referral", Industry = "intelligent-manufacturing" },
        }, lingshui).ResponseAsync);
        if (referral.Code != StatusCode.PermissionDenied) mismatches.Add($"referral from another district: {referral.Code} {referral.Detail}");
        var relocate = await StatusOf(() => client.RelocateEnterpriseAsync(new RelocateEnterpriseRequest
        {
            Name = $"districts/qixianling/enterprises/{enterprises[UnitRef.District("qixianling")]}", TargetUnit = "districts/lingshui",
            RelocationDate = new Google.Type.Date { Year = 2024, Month = 3, Day = 1 },
        }, lingshui).ResponseAsync);
        if (relocate.Code != StatusCode.PermissionDenied) mismatches.Add($"relocating another district's enterprise: {relocate.Code} {relocate.Detail}");
        if (await fixture.ReadEnterpriseAsync(UnitRef.District("qixianling"), enterprises[UnitRef.District("qixianling")]) is null)
            mismatches.Add("qixianling's enterprise left qixianling");

        // Identity metadata sent straight to a service (bypassing the gateway) without the gateway's signature.
        using var direct = RpcChannel.ForAddress(Zone.GrpcAddressOf("district-qixianling"));
        var directUscc = TestUscc.New();
        var forged = new Metadata { { "x-parks-caller", "district-qixianling" }, { "x-parks-caller-role", "unit" }, { "x-parks-caller-unit", "districts/qixianling" }, { "x-parks-caller-sig", new string('0', 64) } };
        var bypass = await StatusOf(() => new EnterpriseService.EnterpriseServiceClient(direct).CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = "districts/qixianling", Enterprise = Requests.Enterprise(directUscc),
        }, new CallOptions(forged, DateTime.UtcNow.AddSeconds(30))).ResponseAsync);
        if (bypass.Code is not (StatusCode.PermissionDenied or StatusCode.Unauthenticated)) mismatches.Add($"unsigned identity straight to a service: {bypass.Code} {bypass.Detail}");
        if (await fixture.ReadEnterpriseAsync(UnitRef.District("qixianling"), directUscc) is not null) mismatches.Add("an unsigned identity wrote into qixianling");

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task Talent_and_finance_act_for_an_enterprise_only_for_its_own_unit()
    {
        var enterprises = await fixture.EnterprisesAsync();
        var talents = new TalentService.TalentServiceClient(Zone.GatewayChannel);
        var loans = new LoanService.LoanServiceClient(Zone.GatewayChannel);
        var payouts = new PayoutService.PayoutServiceClient(Zone.GatewayChannel);
        var mismatches = new List<string>();
        var acknowledgedTalents = new Dictionary<string, int>(StringComparer.Ordinal);
        var acknowledgedLoans = new Dictionary<string, int>(StringComparer.Ordinal);
        var acknowledgedPayouts = new Dictionary<string, int>(StringComparer.Ordinal);
        var calls = 0;
        foreach (var unit in EnterpriseUnits)
        {
            var uscc = enterprises[unit];
            foreach (var caller in RealZone.Callers)
            {
                var allowed = caller == "operator" || UnitOf(caller) == unit;
                var talent = await StatusOf(() => talents.CreateTalentAsync(new CreateTalentRequest
                {
                    Talent = new Parks.Talent.V1.Talent { DisplayName = $"talent of {caller}", EmployerUscc = uscc, Field = "AI", Degree = Degree.Doctorate },
                }, Zone.As(caller)).ResponseAsync);
                var loan = await StatusOf(() => loans.CreateLoanApplicationAsync(new CreateLoanApplicationRequest
                {
                    LoanApplication = new LoanApplication { Uscc = uscc, Product = "loanProducts/innovation-points-loan", Bank = fixture.Bank, RequestedFen = 100_000_000, TermMonths = 12, Purpose = $"by {caller}" },
                }, Zone.As(caller)).ResponseAsync);
                var payout = await StatusOf(() => payouts.CreatePayoutAsync(new CreatePayoutRequest
                {
                    Policy = "policies/listing-neeq",
                    Beneficiary = new Beneficiary { Kind = BeneficiaryKind.Enterprise, Id = uscc },
                    SubjectUscc = uscc,
                    FactDate = new Google.Type.Date { Year = 2021, Month = 6, Day = 1 },
                    Inputs = { ["requested_fen"] = "1000000", ["stage"] = "tutoring" },
                    Evidence = $"by {caller}",
                }, Zone.As(caller)).ResponseAsync);
                calls += 3;
                Count(acknowledgedTalents, talent, uscc);
                Count(acknowledgedLoans, loan, uscc);
                Count(acknowledgedPayouts, payout, uscc);
                foreach (var (what, status) in new[] { ("CreateTalent", talent), ("CreateLoanApplication", loan), ("CreatePayout", payout) })
                {
                    if (!allowed && status.Code != StatusCode.PermissionDenied) mismatches.Add($"{caller} {what} for {unit}'s enterprise: expected PERMISSION_DENIED, got {status.Code} {status.Detail}");
                    if (allowed && status.Code is StatusCode.PermissionDenied or StatusCode.Unauthenticated) mismatches.Add($"{caller} {what} for its own enterprise in {unit}: {status.Code} {status.Detail}");
                }
                if (!allowed || talent.Code == StatusCode.OK) continue;
                mismatches.Add($"{caller} CreateTalent for its own enterprise in {unit}: {talent.Code} {talent.Detail}");
            }
        }

        // Read back as an operator: each enterprise has exactly the records acknowledged for it, no more.
        var operatorCall = Zone.As("operator");
        var stored = 0;
        foreach (var unit in EnterpriseUnits)
        {
            var uscc = enterprises[unit];
            var t = (await talents.ListTalentsAsync(new ListTalentsRequest { EmployerUscc = uscc, PageSize = 100 }, operatorCall)).Talents.Count(x => x.DisplayName.StartsWith("talent of ", StringComparison.Ordinal));
            var l = (await loans.ListLoanApplicationsAsync(new ListLoanApplicationsRequest { Uscc = uscc, PageSize = 100 }, operatorCall)).LoanApplications.Count(x => x.Purpose.StartsWith("by ", StringComparison.Ordinal));
            var p = (await payouts.ListPayoutsAsync(new ListPayoutsRequest { SubjectUscc = uscc, PageSize = 100 }, operatorCall)).Payouts.Count(x => x.Policy == "policies/listing-neeq");
            stored += t + l + p;
            if (t != acknowledgedTalents.GetValueOrDefault(uscc)) mismatches.Add($"{unit}: {t} talents stored, {acknowledgedTalents.GetValueOrDefault(uscc)} acknowledged");
            if (l != acknowledgedLoans.GetValueOrDefault(uscc)) mismatches.Add($"{unit}: {l} loan applications stored, {acknowledgedLoans.GetValueOrDefault(uscc)} acknowledged");
            if (p != acknowledgedPayouts.GetValueOrDefault(uscc)) mismatches.Add($"{unit}: {p} payouts stored, {acknowledgedPayouts.GetValueOrDefault(uscc)} acknowledged");
        }
        // Updates of each unit's talent (its employer is the unit's enterprise) by every other unit: refused, unchanged.
        var updates = 0;
        foreach (var unit in EnterpriseUnits)
        {
            var owner = unit.Kind == UnitKind.District ? "district-" + unit.Id : "branchpark-" + unit.Id;
            var talent = (await talents.ListTalentsAsync(new ListTalentsRequest { EmployerUscc = enterprises[unit], PageSize = 100 }, operatorCall)).Talents
                .First(t => t.DisplayName == $"talent of {owner}");
            foreach (var caller in RealZone.Callers.Where(c => c != owner && c != "operator"))
            {
                var update = await StatusOf(() => talents.UpdateTalentAsync(new UpdateTalentRequest
                {
                    Talent = new Parks.Talent.V1.Talent { Name = talent.Name, DisplayName = $"renamed by {caller}" },
                    UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } },
                }, Zone.As(caller)).ResponseAsync);
                updates++;
                if (update.Code != StatusCode.PermissionDenied) mismatches.Add($"{caller} UpdateTalent of {unit}'s talent: expected PERMISSION_DENIED, got {update.Code} {update.Detail}");
            }
            var after = (await talents.GetTalentAsync(new GetTalentRequest { Name = talent.Name }, operatorCall)).Talent;
            if (after.DisplayName != talent.DisplayName) mismatches.Add($"{unit}'s talent was renamed to '{after.DisplayName}'");
        }
        fixture.Record("tenant isolation: talent updates by other units tried", updates);
        fixture.Record("tenant isolation: talent/finance writes for enterprises tried (11 units x 14 callers x 3 methods)", calls);
        fixture.Record("tenant isolation: talent/finance records stored (all by the owner or an operator)", stored);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(60)));

        static void Count(Dictionary<string, int> counts, RpcStatus status, string uscc)
        {
            if (status.Code == StatusCode.OK) counts[uscc] = counts.GetValueOrDefault(uscc) + 1;
        }
    }

    [Fact]
    public async Task The_hosting_operator_api_on_the_gateway_port_refuses_every_outside_caller()
    {
        // Every process hosts the events operator API (parksctl events); the gateway does not route or authenticate it,
        // so it must refuse callers that lack the identity signed with the internal key — API keys and forged metadata.
        var admin = new Parks.Ops.V1.EventAdminService.EventAdminServiceClient(Zone.GatewayChannel);
        var forged = new Metadata { { "x-parks-caller", "operator" }, { "x-parks-caller-role", "operator" }, { "x-parks-caller-sig", new string('0', 64) } };
        foreach (var options in new[] { Zone.As("operator"), Zone.As("district-lingshui"), new CallOptions(forged, DateTime.UtcNow.AddSeconds(30)), Zone.As("operator", forged) })
        {
            var list = await StatusOf(() => admin.ListDeadLettersAsync(new Parks.Ops.V1.ListDeadLettersRequest(), options).ResponseAsync);
            var discard = await StatusOf(() => admin.DiscardDeadLetterAsync(new Parks.Ops.V1.DiscardDeadLetterRequest { Name = "deadLetters/" + Guid.NewGuid() }, options).ResponseAsync);
            Assert.True(list.Code is StatusCode.Unauthenticated or StatusCode.PermissionDenied, $"ListDeadLetters: {list.Code} {list.Detail}");
            Assert.True(discard.Code is StatusCode.Unauthenticated or StatusCode.PermissionDenied, $"DiscardDeadLetter: {discard.Code} {discard.Detail}");
        }
    }

    private Metadata Signed(string caller, long ts, string path) => SignedWithKeyOf(caller, caller, ts, path);

    private Metadata SignedWithKeyOf(string keyOwner, string caller, long ts, string path)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var sig = Convert.ToHexString(Authenticator.Sign(Encoding.UTF8.GetBytes(Zone.Keys[keyOwner]), caller, ts, nonce, path));
        return new Metadata { { "authorization", $"Parks-HMAC-SHA256 caller={caller}, ts={ts.ToString(CultureInfo.InvariantCulture)}, nonce={nonce}, sig={sig}" } };
    }

    internal static async Task<RpcStatus> CallAsync(RawCallInvoker invoker, ExposedMethod method, byte[] request, CallOptions options)
    {
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method.Raw, options, request).ResponseAsync;
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method.Raw, options))
                    {
                        try
                        {
                            await call.RequestStream.WriteAsync(request);
                            await call.RequestStream.CompleteAsync();
                        }
                        catch (RpcException)
                        {
                            // refused while writing: the status is the call's
                        }
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    throw new NotSupportedException($"{method.FullName}: a streaming write of this kind is not in the matrix yet");
            }
            return new RpcStatus(StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            return new RpcStatus(ex.StatusCode, ex.Status.Detail);
        }
    }

    internal static async Task<RpcStatus> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return new RpcStatus(StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            return new RpcStatus(ex.StatusCode, ex.Status.Detail);
        }
    }
}

public readonly record struct RpcStatus(StatusCode Code, string Detail);
