using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Gateway.Security;

/// <summary>A caller the gateway knows: its identity, its key, and the signed identity metadata it forwards.</summary>
internal sealed class KnownCaller
{
    public KnownCaller(Caller identity, byte[] key, CallerSigner signer)
    {
        Identity = identity;
        Key = key;
        var headers = new Metadata();
        identity.WriteTo(headers, signer);
        IdentityHeaders = headers.ToArray();
    }

    public Caller Identity { get; }

    /// <summary>The caller's secret (its API key's bytes): also the HMAC key of its signed request tokens.</summary>
    public byte[] Key { get; }

    /// <summary>
    /// x-parks-caller, -role, -unit and -sig for forwarded calls. The signature covers only the identity, so it is
    /// computed once per caller, not per call.
    /// </summary>
    public IReadOnlyList<Metadata.Entry> IdentityHeaders { get; }
}

/// <summary>
/// The callers configured in <c>Parks:Gateway:ApiKeys</c>. A caller's id says what it is: <c>district-{id}</c>,
/// <c>branchpark-{id}</c> and <c>sciencecity</c> are unit systems of that unit, <c>dashboard[-name]</c> is read-only,
/// <c>operator[-name]</c> administers. Keys are looked up by their SHA-256, so lookups take the same time whatever the key.
/// </summary>
internal sealed class CallerDirectory
{
    public const int MinimumKeyLength = 32;

    private readonly FrozenDictionary<string, KnownCaller> _byId;
    private readonly FrozenDictionary<string, KnownCaller> _byKeyHash;

    public CallerDirectory(IOptions<GatewayOptions> options, CallerSigner signer)
    {
        var byId = new Dictionary<string, KnownCaller>(StringComparer.Ordinal);
        var byHash = new Dictionary<string, KnownCaller>(StringComparer.Ordinal);
        foreach (var (id, key) in options.Value.ApiKeys)
        {
            var identity = ParseId(id) ?? throw new InvalidOperationException($"Parks:Gateway:ApiKeys:{id}: '{id}' is not a caller id (district-<district>, branchpark-<park>, sciencecity, dashboard[-name], operator[-name]).");
            if (string.IsNullOrEmpty(key) || key.Length < MinimumKeyLength)
                throw new InvalidOperationException($"Parks:Gateway:ApiKeys:{id} must be at least {MinimumKeyLength} characters.");
            var caller = new KnownCaller(identity, Encoding.UTF8.GetBytes(key), signer);
            byId[id] = caller;
            if (!byHash.TryAdd(Hash(key), caller))
                throw new InvalidOperationException($"Parks:Gateway:ApiKeys:{id} has the same key as another caller; every caller needs its own key.");
        }
        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        _byKeyHash = byHash.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<KnownCaller> Callers => _byId.Values;

    public KnownCaller? FindById(string id) => _byId.GetValueOrDefault(id);

    public KnownCaller? FindByKey(string key) => _byKeyHash.GetValueOrDefault(Hash(key));

    /// <summary>The identity a caller id stands for; null when the id follows none of the conventions.</summary>
    public static Caller? ParseId(string id)
    {
        if (id == "sciencecity") return new Caller(id, CallerRole.UnitSystem, UnitRef.ScienceCity);
        if (id.StartsWith("district-", StringComparison.Ordinal))
        {
            var district = id["district-".Length..];
            return Parks.Domain.Zone.IsDistrict(district) ? new Caller(id, CallerRole.UnitSystem, UnitRef.District(district)) : null;
        }
        if (id.StartsWith("branchpark-", StringComparison.Ordinal))
        {
            var park = id["branchpark-".Length..];
            return Parks.Domain.Zone.IsValidSlug(park) ? new Caller(id, CallerRole.UnitSystem, UnitRef.Park(park)) : null;
        }
        if (IsNamed(id, "dashboard")) return new Caller(id, CallerRole.Dashboard, null);
        if (IsNamed(id, "operator")) return new Caller(id, CallerRole.Operator, null);
        return null;

        static bool IsNamed(string id, string kind) =>
            id == kind || (id.StartsWith(kind + "-", StringComparison.Ordinal) && Parks.Domain.Zone.IsValidSlug(id[(kind.Length + 1)..]));
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
