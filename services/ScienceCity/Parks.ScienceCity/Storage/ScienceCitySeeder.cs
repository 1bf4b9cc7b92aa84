using Parks.Hosting.State;
using Parks.ScienceCity.Data;
using Parks.ScienceCity.Domain;
using Parks.Storage;

namespace Parks.ScienceCity.Storage;

/// <summary>Writes the Science City's seed (admission batches, named platforms) into the state store, idempotently.</summary>
internal sealed class ScienceCitySeeder(IStateStore store, ScienceCitySeed seed, TimeProvider time) : ISeeder
{
    public string Name => "science-city";

    public Task<int> SeedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var records = new List<SeedRecord>();
        foreach (var b in seed.AdmissionBatches)
        {
            var batch = AdmissionBatch.Create(b.Id, b.DisplayName, b.PlannedCount, b.Source);
            records.Add(new SeedRecord(ScienceCityKeys.AdmissionBatch(batch.Id), batch, [(PlatformStore.Batches, batch.Id)]));
        }
        foreach (var p in seed.Platforms)
        {
            var platform = Platform.Create(p.Id, p.Draft, now);
            records.Add(new SeedRecord(ScienceCityKeys.Platform(platform.Id), platform, PlatformStore.Indexes(platform).Select(i => (i, platform.Id)).ToList()));
        }
        return Seeding.SeedAsync(store, records, ct);
    }
}
