namespace Parks.Units.Domain;

/// <summary>One of the zone's "1+8" industries (000:106, 000:152).</summary>
public sealed record Industry(string Id, string NameZh, string NameEn, string Role, IReadOnlyList<string> Src);

/// <summary>The industries an enterprise or project may belong to (loaded from Data/industries.json).</summary>
public sealed class IndustryCatalog
{
    private readonly Dictionary<string, Industry> _byId;

    public IndustryCatalog(IEnumerable<Industry> industries)
    {
        _byId = industries.ToDictionary(i => i.Id, StringComparer.Ordinal);
        if (_byId.Count == 0) throw new ArgumentException("an industry catalogue needs at least one industry", nameof(industries));
        All = [.. _byId.Values];
    }

    public IReadOnlyList<Industry> All { get; }

    public bool Contains(string? id) => id is not null && _byId.ContainsKey(id);

    public Industry? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>"software-it, metaverse, …" for error messages.</summary>
    public string Listing => string.Join(", ", All.Select(i => i.Id));
}
