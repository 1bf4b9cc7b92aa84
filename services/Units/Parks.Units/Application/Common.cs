using System.Security.Cryptography;
using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Storage;

namespace Parks.Units.Application;

/// <summary>Which records a list returns: real and demo (default), only real, or only demo.</summary>
public enum DataSetFilter
{
    All = 0,
    Real = 1,
    Demo = 2,
}

/// <summary>One page of a list, with the token of the next page ("" on the last) and the filter's total.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken, long TotalSize);

internal static class DataSets
{
    public static IReadOnlyList<string> Of(DataSetFilter filter) => filter switch
    {
        DataSetFilter.Real => [UnitKeys.Real],
        DataSetFilter.Demo => [UnitKeys.Demo],
        DataSetFilter.All => [UnitKeys.Real, UnitKeys.Demo],
        _ => throw new ValidationException("data_set", $"unknown data set {(int)filter}"),
    };
}

/// <summary>The zone-wide registry entry of an enterprise: where it is registered now.</summary>
internal sealed record RegistryEntry(string Unit, bool Demo, DateTimeOffset Since);

/// <summary>What an idempotent create remembers of its request: a fingerprint of the content and the resource it made.</summary>
internal sealed record RequestRecord(string Fingerprint, string Resource, DateTimeOffset Time);

/// <summary>request_id handling (AIP-155): a retry with the same id and content gets the same result.</summary>
internal static class Idempotency
{
    public const int MaxRequestIdLength = 100;

    public static void Validate(string? requestId, string field = "request_id")
    {
        if (requestId is null) return;
        if (requestId.Length > MaxRequestIdLength)
            throw new ValidationException(field, $"must be at most {MaxRequestIdLength} characters (got {requestId.Length})");
        if (requestId.Any(c => c <= ' ' || c > '~'))
            throw new ValidationException(field, "must be printable ASCII without spaces (e.g. a UUID)");
    }

    public static string Fingerprint<T>(T content) => Convert.ToHexString(SHA256.HashData(StateJson.Serialize(content)));

    /// <summary>
    /// The resource an earlier request with this id created, or null when the id is new. The same id with other
    /// content is INVALID_ARGUMENT: the caller reused a key for a different request.
    /// </summary>
    public static async Task<string?> ReplayAsync(IStateStore store, string key, string fingerprint, CancellationToken cancellationToken, string field = "request_id")
    {
        var entry = await store.GetAsync(key, cancellationToken);
        if (entry is null) return null;
        var record = StateJson.Deserialize<RequestRecord>(entry.Value, key);
        if (record.Fingerprint != fingerprint)
            throw new ValidationException(field, $"was already used for a different request (which created {record.Resource}); use a new request_id");
        return record.Resource;
    }

    public static void Remember(StateTransaction tx, string key, string fingerprint, string resource, DateTimeOffset now) =>
        tx.Put(key, StateJson.Serialize(new RequestRecord(fingerprint, resource, now)), 0);

    /// <summary>A fresh server-assigned id: a letter then 20 base-32 characters (sortable by creation time).</summary>
    public static string NewId(char prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(bytes, bigEndian: true, out _);
        const string alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
        var chars = new char[21];
        chars[0] = prefix;
        ulong bits = 0;
        int available = 0, b = 0;
        for (var i = 1; i < chars.Length; i++)
        {
            if (available < 5) { bits = (bits << 8) | bytes[b++]; available += 8; }
            chars[i] = alphabet[(int)((bits >> (available - 5)) & 31)];
            available -= 5;
        }
        return new string(chars);
    }
}

internal static class Paging
{
    /// <summary>An offset cursor for lists held in one record (certification history, catalogue lists).</summary>
    public static (int Offset, int Size) Offset(int pageSize, string? pageToken, string fingerprint)
    {
        var size = PageToken.NormalizePageSize(pageSize);
        var cursor = PageToken.Read(pageToken, fingerprint);
        if (cursor is null) return (0, size);
        return int.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset)
            ? (offset, size)
            : throw new ValidationException("page_token", "is corrupted");
    }

    public static Page<T> Slice<T>(IReadOnlyList<T> all, int offset, int size, string fingerprint) =>
        new([.. all.Skip(offset).Take(size)],
            offset + size < all.Count ? PageToken.Create(fingerprint, (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture)) : "",
            all.Count);
}
