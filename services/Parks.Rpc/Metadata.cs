using System.Collections;
using System.Text;

namespace Parks.Rpc;

/// <summary>
/// gRPC metadata (headers or trailers): an ordered list of key/value entries. Keys are lower-case
/// <c>[0-9a-z_.-]</c>; keys ending in <c>-bin</c> carry bytes (base64 on the wire), all others printable ASCII.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    public static readonly Metadata Empty = new(readOnly: true);

    private readonly List<Entry> _entries = [];
    private readonly bool _readOnly;

    public Metadata() { }

    private Metadata(bool readOnly) => _readOnly = readOnly;

    public int Count => _entries.Count;

    public bool IsReadOnly => _readOnly;

    public Entry this[int index]
    {
        get => _entries[index];
        set { EnsureWritable(); _entries[index] = value; }
    }

    public Metadata Add(string key, string value)
    {
        Add(new Entry(key, value));
        return this;
    }

    public Metadata Add(string key, byte[] valueBytes)
    {
        Add(new Entry(key, valueBytes));
        return this;
    }

    public void Add(Entry item)
    {
        EnsureWritable();
        _entries.Add(item);
    }

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Key == key) return _entries[i];
        }
        return null;
    }

    public IEnumerable<Entry> GetAll(string key) => _entries.Where(e => e.Key == key);

    public string? GetValue(string key) => Get(key)?.Value;

    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public bool ContainsKey(string key) => Get(key) is not null;

    public void Clear() { EnsureWritable(); _entries.Clear(); }

    public bool Contains(Entry item) => _entries.Contains(item);

    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(Entry item) => _entries.IndexOf(item);

    public void Insert(int index, Entry item) { EnsureWritable(); _entries.Insert(index, item); }

    public bool Remove(Entry item) { EnsureWritable(); return _entries.Remove(item); }

    public void RemoveAt(int index) { EnsureWritable(); _entries.RemoveAt(index); }

    private void EnsureWritable()
    {
        if (_readOnly) throw new InvalidOperationException("This metadata is read-only.");
    }

    /// <summary>One metadata entry. Binary entries (key ends in <c>-bin</c>) hold bytes, the others a string.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinary) throw new ArgumentException($"Key '{key}' ends in '-bin' and needs a byte[] value.", nameof(key));
            ArgumentNullException.ThrowIfNull(value);
            foreach (var c in value)
            {
                if (c is < ' ' or > '~') throw new ArgumentException($"Metadata value for '{key}' contains a character outside printable ASCII; use a '-bin' key for binary data.", nameof(value));
            }
            _value = value;
        }

        public Entry(string key, byte[] valueBytes)
        {
            Key = NormalizeKey(key);
            if (!IsBinary) throw new ArgumentException($"Key '{key}' needs a string value; only keys ending in '-bin' carry bytes.", nameof(key));
            _valueBytes = valueBytes ?? throw new ArgumentNullException(nameof(valueBytes));
        }

        public string Key { get; }

        public bool IsBinary => Key.EndsWith(BinarySuffix, StringComparison.Ordinal);

        /// <summary>The text value; for binary entries, their base64 form.</summary>
        public string Value => _value ?? Convert.ToBase64String(_valueBytes!);

        /// <summary>The bytes; for text entries, their ASCII encoding.</summary>
        public byte[] ValueBytes => _valueBytes ?? Encoding.ASCII.GetBytes(_value!);

        public override string ToString() => IsBinary ? $"[Entry: key={Key}, valueBytes={_valueBytes!.Length} bytes]" : $"[Entry: key={Key}, value={_value}]";

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var normalized = key.ToLowerInvariant();
            foreach (var c in normalized)
            {
                if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '-'))
                    throw new ArgumentException($"Metadata key '{key}' contains '{c}'; keys are [0-9a-z_.-].", nameof(key));
            }
            return normalized;
        }
    }
}
