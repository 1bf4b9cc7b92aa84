using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Parks.Hosting.Observability;

/// <summary>
/// Aggregates the measurements of the selected meters into cumulative series, the way Prometheus scrapes them:
/// counters and up-down counters as running sums, gauges and observable instruments as their last value,
/// histograms as bucket counts with sum and count. A MeterListener does the listening, so any
/// System.Diagnostics.Metrics instrument is picked up without a dependency on the instrumented code.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Series per instrument beyond which new label combinations are dropped (a guard against unbounded labels).</summary>
    public const int MaxSeriesPerInstrument = 2000;

    private readonly MeterListener _listener;
    private readonly Func<Meter, bool> _include;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _collectGate = new();

    public MetricsCollector(Func<Meter, bool> include)
    {
        _include = include;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, state) => _instruments.TryRemove(instrument, out var removed),
        };
        _listener.SetMeasurementEventCallback<byte>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<short>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<int>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<long>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<float>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<double>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<decimal>((i, m, t, s) => Record(s, (double)m, t));
        _listener.Start();
    }

    /// <summary>
    /// A consistent view of every series: observable instruments are observed now (their previous observations
    /// are dropped first, so label sets that disappeared do not linger).
    /// </summary>
    public IReadOnlyList<InstrumentSnapshot> Collect()
    {
        lock (_collectGate)
        {
            foreach (var state in _instruments.Values)
            {
                if (state.Instrument.IsObservable) state.Clear();
            }
            _listener.RecordObservableInstruments();
            return [.. _instruments.Values.Select(s => s.Snapshot()).Where(s => s.Series.Count > 0)];
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_include(instrument.Meter)) return;
        if (Classify(instrument) is not { } kind) return;
        var state = new InstrumentState(instrument, kind, kind == InstrumentKind.Histogram ? BucketsFor(instrument) : []);
        _instruments[instrument] = state;
        listener.EnableMeasurementEvents(instrument, state);
    }

    private static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is InstrumentState instrument) instrument.Record(value, tags);
    }

    private static InstrumentKind? Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>)) return InstrumentKind.Counter;
        if (definition == typeof(ObservableCounter<>)) return InstrumentKind.ObservableCounter;
        if (definition == typeof(UpDownCounter<>)) return InstrumentKind.UpDownCounter;
        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>)) return InstrumentKind.Gauge;
        if (definition == typeof(Histogram<>)) return InstrumentKind.Histogram;
        return null;
    }

    /// <summary>Bucket upper bounds: the instrument's advice when it gives one, else defaults suited to its unit.</summary>
    internal static double[] BucketsFor(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Count: > 0 }) return [.. advised.Where(b => !double.IsNaN(b)).Distinct().Order()];
        return instrument.Unit switch
        {
            "s" => [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
            "ms" => [1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
            // The OpenTelemetry SDK's default explicit boundaries.
            _ => [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
        };
    }

    /// <summary>The series of one instrument, keyed by label set.</summary>
    private sealed class InstrumentState
    {
        private readonly ConcurrentDictionary<TagSet, Series> _byTags = new(TagSetComparer.Instance);
        private readonly ConcurrentDictionary<TagSet, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
        private readonly ConcurrentDictionary<string, Series> _byLabels = new(StringComparer.Ordinal);
        private readonly double[] _buckets;
        private const int RecentSlots = 64;
        private readonly RecentTags?[] _recent = new RecentTags?[RecentSlots];
        private int _misses;

        public InstrumentState(Instrument instrument, InstrumentKind kind, double[] buckets)
        {
            Instrument = instrument;
            Kind = kind;
            _buckets = buckets;
            _lookup = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        }

        public Instrument Instrument { get; }

        public InstrumentKind Kind { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (double.IsNaN(value)) return;
            var slot = RecentSlot(tags);
            var recent = slot < 0 ? null : Volatile.Read(ref _recent[slot]);
            Series? series;
            if (recent is not null && recent.Matches(tags))
            {
                series = recent.Series;
            }
            else
            {
                if (!_lookup.TryGetValue(tags, out series))
                {
                    series = Resolve(tags);
                    if (series is null) return;
                }
                // An empty slot is filled at once; an occupied one only now and then, so tags built anew for every
                // measurement (they never match by identity) do not cost an allocation each time.
                if (slot >= 0 && (recent is null || (Interlocked.Increment(ref _misses) & 31) == 0))
                    Volatile.Write(ref _recent[slot], new RecentTags(tags.ToArray(), series));
            }
            switch (Kind)
            {
                case InstrumentKind.Counter:
                case InstrumentKind.UpDownCounter:
                    series.Add(value);
                    break;
                case InstrumentKind.Histogram:
                    series.Observe(value);
                    break;
                default:
                    series.Set(value);
                    break;
            }
        }

        public void Clear()
        {
            Array.Clear(_recent);
            _byTags.Clear();
            _byLabels.Clear();
        }

        /// <summary>
        /// Where a tag set may sit in the recent-series cache: chosen by the identity of its values, so instrumented
        /// code that passes the same string instances each time (method names, status codes) finds its series
        /// without hashing the strings. -1 for a tag set not worth caching.
        /// </summary>
        private static int RecentSlot(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length is 0 or > 4) return -1;
            var hash = 0;
            foreach (var tag in tags)
            {
                if (tag.Value is not (string or null)) return -1; // boxed values are new objects every time
                hash = (hash * 31) ^ RuntimeHelpers.GetHashCode(tag.Value);
            }
            return hash & (RecentSlots - 1);
        }

        public InstrumentSnapshot Snapshot() => new(Instrument, Kind, _buckets,
            [.. _byLabels.Select(p => p.Value.Snapshot(p.Key)).OrderBy(s => s.Labels, StringComparer.Ordinal)]);

        /// <summary>
        /// Finds the series of a label set seen for the first time in this tag order. Label sets are compared
        /// by their rendered, sorted form, so the same tags given in another order share one series.
        /// </summary>
        private Series? Resolve(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = PrometheusText.RenderLabels(tags);
            if (!_byLabels.TryGetValue(labels, out var series))
            {
                if (_byLabels.Count >= MaxSeriesPerInstrument) return null;
                series = _byLabels.GetOrAdd(labels, _ => new Series(_buckets));
            }
            _lookup.TryAdd(tags, series);
            return series;
        }
    }

    /// <summary>One label set's value: a sum, a last value, or histogram buckets.</summary>
    private sealed class Series(double[] buckets)
    {
        private readonly long[] _counts = buckets.Length == 0 ? [] : new long[buckets.Length + 1];
        private double _value;

        public void Add(double delta)
        {
            var current = Volatile.Read(ref _value);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _value, current + delta, current);
                // Compared as bits, as CompareExchange does (0.0 and -0.0 are equal as numbers, not as bits).
                if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current)) return;
                current = seen;
            }
        }

        public void Set(double value) => Volatile.Write(ref _value, value);

        public void Observe(double value)
        {
            var index = Array.BinarySearch(buckets, value);
            if (index < 0) index = ~index;
            Interlocked.Increment(ref _counts[index]);
            Add(value);
        }

        public SeriesSnapshot Snapshot(string labels)
        {
            if (_counts.Length == 0) return new SeriesSnapshot(labels, Volatile.Read(ref _value), []);
            var counts = new long[_counts.Length];
            for (var i = 0; i < counts.Length; i++) counts[i] = Volatile.Read(ref _counts[i]);
            return new SeriesSnapshot(labels, Volatile.Read(ref _value), counts);
        }
    }

    /// <summary>A tag set recently recorded and its series; it matches a tag set holding the very same keys and values.</summary>
    private sealed class RecentTags(KeyValuePair<string, object?>[] tags, Series series)
    {
        public Series Series { get; } = series;

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
        {
            if (other.Length != tags.Length) return false;
            for (var i = 0; i < tags.Length; i++)
            {
                if (!ReferenceEquals(tags[i].Key, other[i].Key) || !ReferenceEquals(tags[i].Value, other[i].Value)) return false;
            }
            return true;
        }
    }

    /// <summary>A label set as recorded (tag order kept: it is only a cache key).</summary>
    private sealed class TagSet(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
    }

    private sealed class TagSetComparer : IEqualityComparer<TagSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
    {
        public static readonly TagSetComparer Instance = new();

        public bool Equals(TagSet? x, TagSet? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Same(x.Tags, y.Tags));

        public int GetHashCode(TagSet obj) => Hash(obj.Tags);

        public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other) => Same(alternate, other.Tags);

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => Hash(alternate);

        public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate.ToArray());

        private static bool Same(ReadOnlySpan<KeyValuePair<string, object?>> a, ReadOnlySpan<KeyValuePair<string, object?>> b)
        {
            if (a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++)
            {
                if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !Equals(a[i].Value, b[i].Value)) return false;
            }
            return true;
        }

        private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = new HashCode();
            foreach (var tag in tags)
            {
                hash.Add(tag.Key, StringComparer.Ordinal);
                hash.Add(tag.Value);
            }
            return hash.ToHashCode();
        }
    }
}

public enum InstrumentKind
{
    /// <summary>A monotonic sum of increments.</summary>
    Counter,
    /// <summary>A monotonic sum reported as its running total by a callback.</summary>
    ObservableCounter,
    /// <summary>A sum that goes up and down (exposed as a gauge).</summary>
    UpDownCounter,
    /// <summary>A last value.</summary>
    Gauge,
    Histogram,
}

/// <summary>The state of one instrument at collection time.</summary>
public sealed record InstrumentSnapshot(Instrument Instrument, InstrumentKind Kind, double[] Buckets, IReadOnlyList<SeriesSnapshot> Series);

/// <summary>
/// One label set's value. <see cref="BucketCounts"/> (histograms only) holds the count per bucket, not
/// cumulative, with the +Inf bucket last; <see cref="Value"/> is then the sum of observations.
/// </summary>
public sealed record SeriesSnapshot(string Labels, double Value, long[] BucketCounts);
