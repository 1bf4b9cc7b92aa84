using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Events.V1;
using Parks.Finance.V1;
using Parks.Hosting.Events;
using Parks.Rpc;
using Parks.Testing;
using Parks.Testing.Shared;
using static Parks.Finance.Tests.TestData;
using Tier = Parks.Common.V1.EnterpriseTier;

namespace Parks.Finance.Tests.Functional;

public sealed class InMemoryFinanceServiceTests() : FinanceServiceTests(null);

[Collection(RedisServerFixture.Collection)]
public sealed class RedisFinanceServiceTests(RedisServerFixture redis) : FinanceServiceTests(redis.ConnectionString);

/// <summary>
/// The finance service with its own wiring, called over gRPC; enterprise facts arrive as events on its bus. Runs on
/// the in-memory store and on a real redis-server. Expected amounts are worked out by hand from the documents.
/// </summary>
public abstract class FinanceServiceTests(string? redis) : IAsyncLifetime
{
    private static readonly CallOptions Operator = ServiceHost.Operator;
    private static readonly CallOptions Lingshui = ServiceHost.Unit(UnitRef.District("lingshui"));
    private static readonly int ThisYear = DateTime.UtcNow.Year;

    private ServiceHost _host = null!;
    private PayoutService.PayoutServiceClient _payouts = null!;
    private LoanService.LoanServiceClient _loans = null!;
    private InstitutionService.InstitutionServiceClient _institutions = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.AddFinance(), a => a.MapFinance(), redis);
        _payouts = new(_host.Channel);
        _loans = new(_host.Channel);
        _institutions = new(_host.Channel);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_host.Errors.Entries);
        await _host.DisposeAsync();
    }

    private Task PublishAsync(Google.Protobuf.IMessage message) => _host.Services.GetRequiredService<IEventOutbox>().PublishAsync(message);

    private static Google.Type.Date D(int y, int m, int d) => new() { Year = y, Month = m, Day = d };

    private async Task<string> EnterpriseAsync(Tier tier, Google.Type.Date validFrom, bool withPoints = false)
    {
        var uscc = NewUscc();
        await PublishAsync(new EnterpriseRegistered { Uscc = uscc, Unit = "districts/lingshui", DisplayName = "Demo", Industry = "software", RegistrationDate = D(2016, 3, 1) });
        if (withPoints) await PublishAsync(new InnovationPointsEvaluated { Uscc = uscc, Unit = "districts/lingshui", Year = ThisYear, TotalCentipoints = 8000, ModelVersion = "m1" });
        await PublishAsync(new EnterpriseTierCertified
        {
            Uscc = uscc, Unit = "districts/lingshui", Certification = "C-" + uscc[^6..], Tier = tier, ValidFrom = validFrom, ValidTo = D(ThisYear + 2, 12, 31),
        });
        return uscc;
    }

    private Task<ListPayoutsResponse> PayoutsOfAsync(string uscc, CallOptions? caller = null) =>
        _payouts.ListPayoutsAsync(new() { SubjectUscc = uscc }, caller ?? Operator).ResponseAsync;

    [Fact]
    public async Task A_tier_certification_event_pays_20万_without_an_application_and_payment_publishes_payout_made()
    {
        var uscc = await EnterpriseAsync(Tier.HighTech, D(2022, 6, 1));

        var payout = await Eventually.ResultAsync(async () =>
        {
            try { return (await PayoutsOfAsync(uscc)).Payouts.SingleOrDefault(); }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; } // the registration is not projected yet
        }, "the automatic payout");
        var paid = (await _payouts.PayPayoutAsync(new() { Name = payout.Name, PaymentReference = "T-" + uscc[^6..] }, Operator)).Payout;
        var again = await Assert.ThrowsAsync<RpcException>(() => _payouts.PayPayoutAsync(new() { Name = payout.Name, PaymentReference = "T-2" }, Operator).ResponseAsync);
        var verified = await _payouts.VerifyPayoutComputationAsync(new() { Name = payout.Name }, Lingshui);

        Assert.Equal("policies/gaoqi-first-certification", payout.Policy);
        Assert.Equal(PayoutMode.Automatic, payout.Mode);
        Assert.Equal(20_000_000, payout.AmountFen); // 20万元 = 200,000 yuan = 20,000,000 fen (002:163)
        Assert.Equal(PayoutStatus.Paid, paid.Status);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.True(verified.Matches);
        Assert.Equal("districts/lingshui", payout.SubjectUnit);
    }

    [Fact]
    public async Task An_equity_reward_application_is_previewed_approved_and_paid_at_45万()
    {
        var investee = await EnterpriseAsync(Tier.TechSme, D(2021, 1, 1));
        var manager = (await _institutions.CreateInstitutionAsync(new()
        {
            InstitutionId = TestIds.New("vc"),
            Institution = new Institution { DisplayName = "Demo VC", Kind = InstitutionKind.Investment, LocalLegalEntityOrBranch = true },
        }, Operator)).Institution;
        await WaitForEnterpriseAsync(investee);

        var request = new CreatePayoutRequest
        {
            Policy = "policies/equity-investment-reward",
            Beneficiary = new Beneficiary { Kind = BeneficiaryKind.FundManager, Id = manager.Name["institutions/".Length..] },
            SubjectUscc = investee,
            FactDate = D(2022, 5, 20),
            Inputs = { ["investment_fen"] = "2000000000", ["deal_reference"] = TestIds.New("deal") }, // 2000万元
            Evidence = "agreement and bank receipt",
        };
        // The investee's 科小 certification reaches the service as an event: until it is projected the application is
        // refused as ineligible (and nothing is written), so it is retried until accepted.
        var applied = await Eventually.ResultAsync(async () =>
        {
            try { return (await _payouts.CreatePayoutAsync(request, Lingshui)).Payout; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition) { return null; }
        }, "the investee's certification to be projected");
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(request, Lingshui).ResponseAsync);
        var districtApproval = await Assert.ThrowsAsync<RpcException>(() => _payouts.ApprovePayoutAsync(new() { Name = applied.Name }, Lingshui).ResponseAsync);
        await _payouts.StartPayoutReviewAsync(new() { Name = applied.Name }, Operator);
        var approved = (await _payouts.ApprovePayoutAsync(new() { Name = applied.Name }, Operator)).Payout;

        // 002:237-239: 500万 × 4% + 500万 × 2% + 1000万 × 1.5% = 45万 = 45,000,000 fen.
        Assert.Equal(45_000_000, applied.Computation.AmountFen);
        Assert.Equal(0, applied.AmountFen);
        Assert.Equal(45_000_000, approved.AmountFen);
        Assert.Equal(["portion 0万–500万: 500万 × 4% = 20万", "portion 500万–1000万: 500万 × 2% = 10万", "portion 1000万–3000万: 1000万 × 1.5% = 15万"],
            approved.Computation.Steps.Where(s => s.Description.StartsWith("portion", StringComparison.Ordinal)).Select(s => s.Description));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, districtApproval.StatusCode);
    }

    private async Task WaitForEnterpriseAsync(string uscc) =>
        await Eventually.WaitUntilAsync(async () =>
        {
            try { await PayoutsOfAsync(uscc); return true; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return false; }
        }, "the enterprise to be projected");

    [Fact]
    public async Task Bad_applications_get_precise_statuses()
    {
        var uscc = await EnterpriseAsync(Tier.TechSme, D(2021, 1, 1));
        await WaitForEnterpriseAsync(uscc);
        CreatePayoutRequest Listing(long requestedFen, Google.Type.Date date, string stage = "tutoring") => new()
        {
            Policy = "policies/listing-neeq",
            Beneficiary = new Beneficiary { Kind = BeneficiaryKind.Enterprise, Id = uscc },
            SubjectUscc = uscc,
            FactDate = date,
            Inputs = { ["requested_fen"] = requestedFen.ToString(System.Globalization.CultureInfo.InvariantCulture), ["stage"] = stage },
            Evidence = "NEEQ filing",
        };

        var beyondCap = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(Listing(150_000_000, D(2021, 6, 1)), Operator).ResponseAsync); // 150万 > 140万 (002:233)
        var outsideWindow = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(Listing(10_000_000, D(2023, 6, 1)), Operator).ResponseAsync);
        var notPositive = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(Listing(0, D(2021, 6, 1)), Operator).ResponseAsync);
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(Listing(10_000_000, D(2021, 6, 1)), ServiceHost.Unit(UnitRef.District("longtou"))).ResponseAsync);
        var unknownPolicy = await Assert.ThrowsAsync<RpcException>(() => _payouts.CreatePayoutAsync(new CreatePayoutRequest(Listing(1, D(2021, 6, 1))) { Policy = "policies/free-money" }, Operator).ResponseAsync);

        Assert.Equal(StatusCode.OutOfRange, beyondCap.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, outsideWindow.StatusCode);
        var failure = Google.Rpc.Status.Parser.ParseFrom(outsideWindow.StatusDetails).Details.Single(d => d.Is(PreconditionFailure.Descriptor)).Unpack<PreconditionFailure>();
        Assert.Equal("POLICY_WINDOW", failure.Violations[0].Type);
        Assert.Equal(StatusCode.InvalidArgument, notPositive.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, elsewhere.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownPolicy.StatusCode);
        Assert.DoesNotContain((await PayoutsOfAsync(uscc)).Payouts, p => p.Policy == "policies/listing-neeq");
    }

    [Fact]
    public async Task A_points_loan_runs_from_application_to_verified_loss_and_risk_compensation()
    {
        var uscc = await EnterpriseAsync(Tier.HighTech, D(ThisYear, 1, 1), withPoints: true);
        var bank = (await _institutions.CreateInstitutionAsync(new()
        {
            InstitutionId = TestIds.New("bank"),
            Institution = new Institution { DisplayName = "Demo bank", Kind = InstitutionKind.Bank, PartnerProducts = { "loanProducts/innovation-points-loan" } },
        }, Operator)).Institution;
        await WaitForEnterpriseAsync(uscc);
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                await _loans.CreateLoanApplicationAsync(new()
                {
                    LoanApplication = new LoanApplication { Uscc = uscc, Product = "loanProducts/innovation-points-loan", Bank = bank.Name, RequestedFen = 200_000_000, TermMonths = 12, Purpose = "R&D" },
                }, Lingshui);
                return true;
            }
            // Points or tier not projected yet (FAILED_PRECONDITION), or projected while the application was being filed (ABORTED).
            catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.Aborted) { return false; }
        }, "the enterprise to become eligible");
        var loan = (await _loans.ListLoanApplicationsAsync(new() { Uscc = uscc }, Lingshui)).LoanApplications.Single();

        await _loans.ApproveLoanApplicationAsync(new() { Name = loan.Name, CreditLineFen = 200_000_000, ApprovedBy = "credit committee" }, Operator);
        await _loans.DisburseLoanAsync(new() { Name = loan.Name, AmountFen = 200_000_000, Date = D(ThisYear, 1, 10), Reference = "D-1" }, Operator);
        var verified = await _loans.VerifyLoanLossAsync(new() { Name = loan.Name, LossFen = 120_000_000, Date = D(ThisYear, 1, 20), VerifiedBy = "court" }, Operator);

        // The loss is verified today, after 大政发〔2017〕52号's five years (002:287): no compensation is due, and the answer says why.
        Assert.Equal(LoanStatus.LossVerified, verified.LoanApplication.Status);
        Assert.Equal("", verified.Compensation);
        Assert.Contains("window", verified.CompensationSkippedReason);
        Assert.Equal(200_000_000, verified.LoanApplication.OutstandingFen); // 200万 drawn, none repaid
        Assert.Equal(120_000_000, verified.LoanApplication.Loss.AmountFen);
    }
}
