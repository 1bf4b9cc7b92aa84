using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parks.Domain;
using Parks.Hosting.State;

// Linked into the Science City, Talent and Finance services (see their project files): the few helpers their
// repositories share for keeping domain records as JSON documents on IStateStore.
namespace Parks.Storage;

/// <summary>A stored record and the version it was read at; the version is the resource's etag.</summary>
internal sealed record Versioned<T>(T Value, long Version)
{
    public string Etag => Version.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One page of a list and the token for the next one (empty on the last page).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken, long TotalSize);

/// <summary>JSON for stored records: camelCase, enums by name, money as integer fen, units as resource names.</summary>
internal static class StateJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = false };
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new FenConverter());
        o.Converters.Add(new UnitRefConverter());
        return o;
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) =>
        JsonSerializer.Deserialize<T>(bytes.Span, Options) ?? throw new InvalidDataException($"stored {typeof(T).Name} is empty");

    private sealed class FenConverter : JsonConverter<Fen>
    {
        public override Fen Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt64());

        public override void Write(Utf8JsonWriter writer, Fen value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
    }

    private sealed class UnitRefConverter : JsonConverter<UnitRef>
    {
        public override UnitRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            UnitRef.TryParse(reader.GetString(), out var unit) ? unit : throw new JsonException($"'{reader.GetString()}' is not a unit name");

        public override void Write(Utf8JsonWriter writer, UnitRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.ResourceName);
    }
}

internal static class StateDocuments
{
    public static async Task<Versioned<T>?> ReadAsync<T>(this IStateStore store, string key, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(key, cancellationToken);
        return entry is null ? null : new Versioned<T>(StateJson.Deserialize<T>(entry.Value), entry.Version);
    }

    public static async Task<Versioned<T>> ReadRequiredAsync<T>(this IStateStore store, string key, string resourceType, string resourceName, CancellationToken cancellationToken) =>
        await store.ReadAsync<T>(key, cancellationToken) ?? throw new NotFoundException(resourceType, resourceName);

    public static async Task<IReadOnlyList<Versioned<T>?>> ReadManyAsync<T>(this IStateStore store, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) return [];
        var entries = await store.GetManyAsync(keys, cancellationToken);
        return entries.Select(e => e is null ? null : new Versioned<T>(StateJson.Deserialize<T>(e.Value), e.Version)).ToList();
    }

    /// <summary>Puts a record expecting <paramref name="expectedVersion"/> (0: must not exist yet).</summary>
    public static StateTransaction PutJson<T>(this StateTransaction transaction, string key, T value, long expectedVersion) =>
        transaction.Put(key, StateJson.Serialize(value), expectedVersion);

    /// <summary>
    /// The version an update must expect: the caller's etag when given (a stale one is ABORTED now, before any
    /// work), otherwise the version just read.
    /// </summary>
    public static long ExpectedVersion(string? etag, long currentVersion, string resourceName)
    {
        if (string.IsNullOrEmpty(etag)) return currentVersion;
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new ValidationException("etag", $"'{etag}' is not an etag this service issued");
        }
        if (version != currentVersion)
        {
            throw new ConcurrencyException(resourceName, $"{resourceName} has changed (etag {currentVersion}, request carries {etag}); read it again and retry");
        }
        return version;
    }

    /// <summary>
    /// A page of records listed by an index whose members are record ids, in member order. With a
    /// <paramref name="filter"/> the index is scanned until the page is full or the index ends (a page may then hold
    /// fewer items than asked, as AIP-158 allows); the total is only known without a filter.
    /// </summary>
    public static async Task<Page<Versioned<T>>> ListAsync<T>(this IStateStore store, string index, Func<string, string> keyOf,
        int pageSize, string? pageToken, string queryFingerprint, CancellationToken cancellationToken, Func<T, bool>? filter = null)
    {
        var size = PageToken.NormalizePageSize(pageSize);
        var after = PageToken.Read(pageToken, queryFingerprint);
        var items = new List<Versioned<T>>(size);
        string? last = null;
        var more = false;
        // Without a filter one scan of size + 1 tells whether another page follows; with one, scan in batches.
        var batch = filter is null ? size + 1 : Math.Max(size, 100);
        while (true)
        {
            var members = await store.ScanIndexAsync(index, after, batch, cancellationToken);
            var records = await store.ReadManyAsync<T>(members.Select(keyOf).ToList(), cancellationToken);
            var i = 0;
            for (; i < members.Count && items.Count < size; i++)
            {
                last = members[i];
                if (records[i] is { } r && (filter is null || filter(r.Value))) items.Add(r);
            }
            if (items.Count == size)
            {
                more = i < members.Count || (members.Count == batch && filter is not null);
                break;
            }
            if (members.Count < batch) break;
            after = members[^1];
        }
        var next = more && last is not null ? PageToken.Create(queryFingerprint, last) : string.Empty;
        var total = filter is null ? await store.CountIndexAsync(index, cancellationToken) : -1;
        return new Page<Versioned<T>>(items, next, total);
    }

    /// <summary>Reads every record of an index (for small per-owner sets such as one talent's certifications).</summary>
    public static async Task<IReadOnlyList<Versioned<T>>> ReadAllAsync<T>(this IStateStore store, string index, Func<string, string> keyOf, CancellationToken cancellationToken)
    {
        var result = new List<Versioned<T>>();
        string? after = null;
        while (true)
        {
            var members = await store.ScanIndexAsync(index, after, PageToken.MaxPageSize, cancellationToken);
            if (members.Count == 0) break;
            var records = await store.ReadManyAsync<T>(members.Select(keyOf).ToList(), cancellationToken);
            result.AddRange(records.Where(r => r is not null).Select(r => r!));
            if (members.Count < PageToken.MaxPageSize) break;
            after = members[^1];
        }
        return result;
    }
}

/// <summary>
/// Idempotent creates (AIP-155): a request id remembers the resource its first call created, so a retried
/// create returns that resource instead of failing or creating a second one.
/// </summary>
internal static class RequestIds
{
    public static string Key(string service, string method, string requestId) =>
        StateKeys.For(service, "zone", "request", $"{method}:{requestId}");

    public static void Validate(string? requestId)
    {
        if (string.IsNullOrEmpty(requestId)) return;
        if (requestId.Length > 100) throw new ValidationException("request_id", "must be at most 100 characters");
    }

    /// <summary>The resource name a previous call with this request id created, if any.</summary>
    public static async Task<string?> FindAsync(IStateStore store, string service, string method, string? requestId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(requestId)) return null;
        var entry = await store.GetAsync(Key(service, method, requestId), cancellationToken);
        return entry is null ? null : StateJson.Deserialize<string>(entry.Value);
    }

    /// <summary>Records the request id with the create, in the same commit.</summary>
    public static void Remember(StateTransaction transaction, string service, string method, string? requestId, string resourceName)
    {
        if (string.IsNullOrEmpty(requestId)) return;
        transaction.PutJson(Key(service, method, requestId), resourceName, 0);
    }

    /// <summary>True when a commit failed because a concurrent call with the same request id won.</summary>
    public static bool IsRequestConflict(ConcurrencyException ex, string service, string method, string? requestId) =>
        !string.IsNullOrEmpty(requestId) && ex.ResourceName == Key(service, method, requestId);
}

/// <summary>Parses resource names such as <c>scienceCity/platforms/{id}</c> into their ids.</summary>
internal static class ResourceNames
{
    /// <summary>The id of <c>{collection}/{id}</c>; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static string Id(string? name, string collection, string field)
    {
        var prefix = collection + "/";
        if (name is null || !name.StartsWith(prefix, StringComparison.Ordinal) || !Zone.IsValidSlug(name[prefix.Length..]))
        {
            throw new ValidationException(field, $"'{name}' is not a resource name of the form {collection}/{{id}}");
        }
        return name[prefix.Length..];
    }

    /// <summary>The two ids of <c>{parents}/{parent}/{children}/{child}</c>.</summary>
    public static (string Parent, string Child) Ids(string? name, string parents, string children, string field)
    {
        var parts = name?.Split('/') ?? [];
        if (parts.Length != 4 || parts[0] != parents || parts[2] != children || !Zone.IsValidSlug(parts[1]) || !Zone.IsValidSlug(parts[3]))
        {
            throw new ValidationException(field, $"'{name}' is not a resource name of the form {parents}/{{id}}/{children}/{{id}}");
        }
        return (parts[1], parts[3]);
    }
}

/// <summary>One seeded record: its key, the record and the indexes it belongs to.</summary>
internal sealed record SeedRecord(string Key, object Value, IReadOnlyList<(string Index, string Member)> Indexes);

/// <summary>
/// Loads seed records idempotently: only missing keys are written (each expected absent), so running the seed
/// again, or two instances seeding at once, never overwrites what operators changed since.
/// </summary>
internal static class Seeding
{
    public static async Task<int> SeedAsync(IStateStore store, IReadOnlyList<SeedRecord> records, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await store.GetManyAsync(records.Select(r => r.Key).ToList(), cancellationToken);
            var missing = records.Where((_, i) => existing[i] is null).ToList();
            if (missing.Count == 0) return 0;
            var tx = new StateTransaction();
            foreach (var r in missing)
            {
                tx.Put(r.Key, JsonSerializer.SerializeToUtf8Bytes(r.Value, r.Value.GetType(), StateJson.Options), 0);
                foreach (var (index, member) in r.Indexes) tx.AddToIndex(index, member);
            }
            try
            {
                await store.CommitAsync(tx, cancellationToken);
                return missing.Count;
            }
            catch (ConcurrencyException) when (attempt < 3)
            {
                // Another instance seeded some of them meanwhile: read again and write what is still missing.
            }
        }
    }
}
