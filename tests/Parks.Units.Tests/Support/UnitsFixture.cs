using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Application;
using Parks.Units.Events;

namespace Parks.Units.Tests.Support;

/// <summary>A settable clock (the zone's day matters to certifications and stages).</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}

/// <summary>
/// Appends events to the transaction as the real outbox does; <see cref="CommittedAsync"/> returns the events
/// whose transaction committed (a failed commit leaves nothing in the queue).
/// </summary>
internal sealed class RecordingOutbox : IUnitOutbox
{
    public const string Queue = "parks:test:outbox";

    private readonly Dictionary<string, UnitEvent> _appended = new(StringComparer.Ordinal);

    public void Append(StateTransaction transaction, UnitEvent unitEvent)
    {
        transaction.Enqueue(Queue, unitEvent.Id, System.Text.Encoding.UTF8.GetBytes(unitEvent.GetType().Name));
        lock (_appended) _appended[unitEvent.Id] = unitEvent;
    }

    public async Task<IReadOnlyList<UnitEvent>> CommittedAsync(IStateStore store)
    {
        var queued = await store.PeekQueueAsync(Queue, 100_000);
        lock (_appended) return [.. queued.Where(m => _appended.ContainsKey(m.Id)).Select(m => _appended[m.Id])];
    }

    public async Task<IReadOnlyList<T>> CommittedAsync<T>(IStateStore store) where T : UnitEvent => [.. (await CommittedAsync(store)).OfType<T>()];
}

/// <summary>One district or branch-park process over a store (several processes may share one store).</summary>
internal sealed class UnitsProcess
{
    public UnitsProcess(IStateStore store, UnitScope scope, TestClock clock, UnitsOptions? options = null)
    {
        Store = store;
        Clock = clock;
        Outbox = new RecordingOutbox();
        Context = new UnitsContext(store, Outbox, clock, scope);
        Enterprises = new EnterpriseOperations(Context);
        Points = new InnovationPointsOperations(Context, Enterprises);
        Projects = new ProjectOperations(Context);
        Indicators = new IndicatorOperations(Context);
        Parks = new BranchParkOperations(Context);
        Districts = new DistrictOperations(Context);
        Options = options ?? new UnitsOptions();
        Seed = new Data.SeedLoader(Context, Options);
    }

    public IStateStore Store { get; }
    public TestClock Clock { get; }
    public RecordingOutbox Outbox { get; }
    public UnitsContext Context { get; }
    public UnitsOptions Options { get; }
    public EnterpriseOperations Enterprises { get; }
    public InnovationPointsOperations Points { get; }
    public ProjectOperations Projects { get; }
    public IndicatorOperations Indicators { get; }
    public BranchParkOperations Parks { get; }
    public DistrictOperations Districts { get; }
    public Data.SeedLoader Seed { get; }

    public static TestClock NewClock() => new(new DateTimeOffset(2024, 6, 15, 10, 0, 0, TimeSpan.FromHours(8)));

    /// <summary>A district process and the branch-parks process over one fresh store, with the parks catalogue loaded.</summary>
    public static async Task<(UnitsProcess Lingshui, UnitsProcess Qixianling, UnitsProcess Parks, ObservedStore Store)> ZoneAsync(ObservedStore store)
    {
        var clock = NewClock();
        var parks = new UnitsProcess(store, new BranchParkScope(store), clock);
        await parks.Parks.LoadSeedAsync();
        return (new UnitsProcess(store, new DistrictScope("lingshui"), clock), new UnitsProcess(store, new DistrictScope("qixianling"), clock), parks, store);
    }
}

/// <summary>
/// Storage tests run twice: on the in-memory store and on a real redis-server (the same assertions, so both
/// stores are held to the same behaviour by this area's operations).
/// </summary>
public abstract class StoreTests
{
    private protected abstract IStateStore CreateStore();

    private protected ObservedStore NewStore() => new(CreateStore());

    private protected Task<(UnitsProcess Lingshui, UnitsProcess Qixianling, UnitsProcess Parks, ObservedStore Store)> ZoneAsync() =>
        UnitsProcess.ZoneAsync(NewStore());
}
