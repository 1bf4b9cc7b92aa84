using System.Diagnostics.Metrics;
using System.Text;
using Parks.Hosting.Observability;
using Parks.Observability.Tests.Support;

namespace Parks.Observability.Tests;

public sealed class MetricsCollectorTests
{
    private static string UniqueMeterName() => "Parks.Tests." + Guid.NewGuid().ToString("N");

    private static (MetricsCollector Collector, Meter Meter) Create()
    {
        var name = UniqueMeterName();
        return (new MetricsCollector(m => m.Name == name), new Meter(name));
    }

    private static PromPage Scrape(MetricsCollector collector)
    {
        var text = new StringBuilder();
        PrometheusText.Write(text, collector.Collect());
        return PromPage.Parse(text.ToString());
    }

    [Fact]
    public void Counter_is_exposed_as_total_with_sorted_labels_and_one_series_per_label_set_in_any_tag_order()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var counter = meter.CreateCounter<long>("parks.test.calls", description: "Calls.");
        counter.Add(2, new("rpc.method", "/a/B"), new("code", 0));
        counter.Add(3, new("code", 0), new("rpc.method", "/a/B"));
        counter.Add(1, new("rpc.method", "/a/C"), new("code", 5));

        var page = Scrape(collector);

        Assert.Equal("counter", page.Types["parks_test_calls_total"]);
        var b = Assert.Single(page.Named("parks_test_calls_total"), s => s.Label("rpc_method") == "/a/B");
        Assert.Equal(5, b.Value);
        Assert.Equal("0", b.Label("code"));
        Assert.Equal(1, Assert.Single(page.Named("parks_test_calls_total"), s => s.Label("rpc_method") == "/a/C").Value);
    }

    [Fact]
    public void Equal_labels_from_different_string_instances_share_a_series_and_many_label_sets_stay_apart()
    {
        // The collector finds a series by the identity of the tag values first; equal strings that are other
        // instances, and more label sets than its recent-series cache holds, must still add up exactly.
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var counter = meter.CreateCounter<long>("parks.test.identity");
        var method = "/a/Same";
        for (var round = 0; round < 50; round++)
        {
            counter.Add(1, new("rpc.method", method), new("code", "0"));
            counter.Add(1, new("rpc.method", new string(method.AsSpan())), new("code", new string("0".AsSpan())));
            for (var i = 0; i < 200; i++) counter.Add(1, new("rpc.method", "/a/M" + i), new("code", "0"));
        }

        var page = Scrape(collector);

        var series = page.Named("parks_test_identity_total").ToList();
        Assert.Equal(201, series.Count);
        Assert.Equal(100, Assert.Single(series, s => s.Label("rpc_method") == method).Value);
        Assert.All(series.Where(s => s.Label("rpc_method") != method), s => Assert.Equal(50, s.Value));
    }

    [Fact]
    public void Histogram_in_seconds_has_cumulative_buckets_sum_and_count()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var histogram = meter.CreateHistogram<double>("parks.test.duration", unit: "s");
        histogram.Record(0.003, new KeyValuePair<string, object?>("m", "x"));
        histogram.Record(0.2, new KeyValuePair<string, object?>("m", "x"));
        histogram.Record(20, new KeyValuePair<string, object?>("m", "x"));
        histogram.Record(0.1, new KeyValuePair<string, object?>("m", "x")); // exactly on a bound: le is inclusive

        var page = Scrape(collector);

        Assert.Equal("histogram", page.Types["parks_test_duration_seconds"]);
        double Bucket(string le) => Assert.Single(page.Named("parks_test_duration_seconds_bucket"), s => s.Label("le") == le).Value;
        Assert.Equal(0, Bucket("0.001"));
        Assert.Equal(1, Bucket("0.005"));
        Assert.Equal(2, Bucket("0.1"));
        Assert.Equal(3, Bucket("0.25"));
        Assert.Equal(3, Bucket("10"));
        Assert.Equal(4, Bucket("+Inf"));
        Assert.Equal(4, Assert.Single(page.Named("parks_test_duration_seconds_count")).Value);
        Assert.Equal(20.303, Assert.Single(page.Named("parks_test_duration_seconds_sum")).Value, 9);
    }

    [Fact]
    public void Histogram_uses_the_instruments_advised_buckets()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var histogram = meter.CreateHistogram<long>("parks.test.size", "By", null, null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = [100, 1000] });
        histogram.Record(50);
        histogram.Record(500);

        var page = Scrape(collector);

        Assert.Equal(["100", "1000", "+Inf"], page.Named("parks_test_size_bytes_bucket").Select(s => s.Label("le")!));
        Assert.Equal([1d, 2d, 2d], page.Named("parks_test_size_bytes_bucket").Select(s => s.Value));
    }

    [Fact]
    public void Up_down_counter_is_a_gauge_that_goes_both_ways()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var active = meter.CreateUpDownCounter<long>("parks.test.active_calls");
        active.Add(3);
        active.Add(-2);

        var page = Scrape(collector);

        Assert.Equal("gauge", page.Types["parks_test_active_calls"]);
        Assert.Equal(1, Assert.Single(page.Named("parks_test_active_calls")).Value);
    }

    [Fact]
    public void Observable_instruments_are_observed_at_each_scrape_and_vanished_label_sets_are_dropped()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var depth = 7L;
        var districts = new List<string> { "lingshui", "longtou" };
        meter.CreateObservableGauge("parks.events.outbox.depth", () => districts.Select(d => new Measurement<long>(depth, new KeyValuePair<string, object?>("district", d))), "{event}");
        meter.CreateObservableCounter("parks.test.processed", () => depth * 10);

        var first = Scrape(collector);
        depth = 2;
        districts.Remove("longtou");
        var second = Scrape(collector);

        Assert.Equal("gauge", first.Types["parks_events_outbox_depth"]);
        Assert.Equal(2, first.Named("parks_events_outbox_depth").Count());
        var only = Assert.Single(second.Named("parks_events_outbox_depth"));
        Assert.Equal(("lingshui", 2d), (only.Label("district"), only.Value));
        Assert.Equal("counter", second.Types["parks_test_processed_total"]);
        Assert.Equal(20, Assert.Single(second.Named("parks_test_processed_total")).Value);
    }

    [Fact]
    public void Names_and_units_follow_the_OpenTelemetry_rules_for_Prometheus()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        meter.CreateHistogram<double>("parks.events.lag", unit: "ms").Record(3);
        meter.CreateCounter<long>("parks.events.dead_letters", unit: "{event}").Add(1);
        meter.CreateCounter<double>("9parks-odd name/x", unit: "By").Add(1);
        meter.CreateObservableGauge("parks.test.utilization", () => 0.5, unit: "1");
        meter.CreateObservableGauge("parks.test.ratio", () => 0.5, unit: "1");

        var page = Scrape(collector);

        Assert.Contains("parks_events_lag_milliseconds", page.Types.Keys);
        Assert.Contains("parks_events_dead_letters_total", page.Types.Keys);
        Assert.Contains("_9parks_odd_name_x_bytes_total", page.Types.Keys);
        Assert.Contains("parks_test_utilization_ratio", page.Types.Keys);
        Assert.Contains("parks_test_ratio", page.Types.Keys); // the unit word is not repeated
    }

    [Fact]
    public void Label_values_are_escaped_and_read_back_unchanged()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        const string awkward = "a \"quoted\" back\\slash\nnew line, 园区";
        meter.CreateCounter<int>("parks.test.escaped").Add(1, new KeyValuePair<string, object?>("rpc.method", awkward), new KeyValuePair<string, object?>("ok", true));

        var sample = Assert.Single(Scrape(collector).Named("parks_test_escaped_total"));

        Assert.Equal(awkward, sample.Label("rpc_method"));
        Assert.Equal("true", sample.Label("ok"));
    }

    [Fact]
    public void Meters_outside_the_selection_are_not_collected()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        using var other = new Meter(UniqueMeterName());
        other.CreateCounter<long>("parks.test.elsewhere").Add(1);
        meter.CreateCounter<long>("parks.test.here").Add(1);

        var page = Scrape(collector);

        Assert.Contains("parks_test_here_total", page.Types.Keys);
        Assert.DoesNotContain("parks_test_elsewhere_total", page.Types.Keys);
    }

    [Fact]
    public void New_label_sets_beyond_the_cap_are_dropped_instead_of_growing_without_bound()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var counter = meter.CreateCounter<long>("parks.test.unbounded");
        for (var i = 0; i < MetricsCollector.MaxSeriesPerInstrument + 50; i++) counter.Add(1, new KeyValuePair<string, object?>("id", i));

        Assert.Equal(MetricsCollector.MaxSeriesPerInstrument, Scrape(collector).Named("parks_test_unbounded_total").Count());
    }

    [Fact]
    public void Concurrent_increments_are_all_counted()
    {
        var (collector, meter) = Create();
        using var _ = collector;
        using var __ = meter;
        var counter = meter.CreateCounter<double>("parks.test.concurrent");
        var histogram = meter.CreateHistogram<double>("parks.test.concurrent_duration", unit: "s");
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(0.5, new KeyValuePair<string, object?>("k", "v"));
                histogram.Record(0.01);
            }
        });

        var page = Scrape(collector);

        Assert.Equal(40_000, Assert.Single(page.Named("parks_test_concurrent_total")).Value);
        Assert.Equal(80_000, Assert.Single(page.Named("parks_test_concurrent_duration_seconds_count")).Value);
    }
}
