using Parks.Hosting.State;

namespace Parks.Units.Storage;

/// <summary>One membership of a record in a lexicographic index.</summary>
public readonly record struct IndexEntry(string Index, string Member);

/// <summary>
/// Reads and writes one kind of record with its index memberships. A write states the record before and after;
/// the memberships of both are compared so the transaction adds and removes exactly the difference — the record
/// and its indexes change in the same atomic commit.
/// </summary>
internal sealed class Records<T>(IStateStore store, Func<T, IEnumerable<IndexEntry>> indexesOf) where T : class
{
    public async Task<Stored<T>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(key, cancellationToken);
        return entry is null ? null : new Stored<T>(StateJson.Deserialize<T>(entry.Value, key), entry.Version);
    }

    /// <summary>The records in key order; null where a key does not exist.</summary>
    public async Task<IReadOnlyList<Stored<T>?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) return [];
        var entries = await store.GetManyAsync(keys, cancellationToken);
        var result = new Stored<T>?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            result[i] = e is null ? null : new Stored<T>(StateJson.Deserialize<T>(e.Value, keys[i]), e.Version);
        }
        return result;
    }

    /// <summary>Writes <paramref name="after"/> at <paramref name="key"/>: expected version 0 creates, n updates version n.</summary>
    public void Put(StateTransaction tx, string key, T? before, T after, long expectedVersion)
    {
        tx.Put(key, StateJson.Serialize(after), expectedVersion);
        Reindex(tx, before, after);
    }

    public void Delete(StateTransaction tx, string key, T before, long expectedVersion)
    {
        tx.Delete(key, expectedVersion);
        Reindex(tx, before, null);
    }

    private void Reindex(StateTransaction tx, T? before, T? after)
    {
        var old = before is null ? [] : indexesOf(before).ToHashSet();
        var now = after is null ? [] : indexesOf(after).ToHashSet();
        foreach (var e in old)
        {
            if (!now.Contains(e)) tx.RemoveFromIndex(e.Index, e.Member);
        }
        foreach (var e in now)
        {
            if (!old.Contains(e)) tx.AddToIndex(e.Index, e.Member);
        }
    }
}

/// <summary>
/// Pages through the union of one or more lexicographic indexes (e.g. the real and the demo index of the same
/// filter) in member order, with the last member returned as the cursor.
/// </summary>
internal static class IndexPager
{
    public static async Task<(IReadOnlyList<string> Members, bool More)> PageAsync(
        IStateStore store, IReadOnlyList<string> indexes, string? after, int pageSize, CancellationToken cancellationToken)
    {
        if (indexes.Count == 1)
        {
            var single = await store.ScanIndexAsync(indexes[0], after, pageSize + 1, cancellationToken);
            return single.Count > pageSize ? ([.. single.Take(pageSize)], true) : (single, false);
        }
        var scans = await Task.WhenAll(indexes.Select(i => store.ScanIndexAsync(i, after, pageSize + 1, cancellationToken)));
        var merged = scans.SelectMany(s => s).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return merged.Count > pageSize ? ([.. merged.Take(pageSize)], true) : (merged, false);
    }

    public static async Task<long> CountAsync(IStateStore store, IReadOnlyList<string> indexes, CancellationToken cancellationToken)
    {
        if (indexes.Count == 1) return await store.CountIndexAsync(indexes[0], cancellationToken);
        var counts = await Task.WhenAll(indexes.Select(i => store.CountIndexAsync(i, cancellationToken)));
        return counts.Sum();
    }
}
