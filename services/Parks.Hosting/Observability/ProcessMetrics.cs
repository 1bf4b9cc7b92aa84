using System.Diagnostics;
using System.Text;

namespace Parks.Hosting.Observability;

/// <summary>
/// The standard Prometheus process metrics (the names every Prometheus client library exports, so stock
/// dashboards and alerts work). The .NET runtime's own metrics (GC, thread pool, exceptions) come from the
/// "System.Runtime" meter.
/// </summary>
internal static class ProcessMetrics
{
    private static readonly double StartTimeSeconds = GetStartTime();

    public static void Write(StringBuilder output)
    {
        using var process = Process.GetCurrentProcess();
        PrometheusText.WriteGauge(output, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds, "counter");
        PrometheusText.WriteGauge(output, "process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        PrometheusText.WriteGauge(output, "process_virtual_memory_bytes", "Virtual memory size in bytes.", process.VirtualMemorySize64);
        PrometheusText.WriteGauge(output, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", StartTimeSeconds);
        PrometheusText.WriteGauge(output, "process_num_threads", "Number of OS threads in the process.", process.Threads.Count);
        if (OpenFileDescriptors() is { } fds) PrometheusText.WriteGauge(output, "process_open_fds", "Number of open file descriptors.", fds);
    }

    private static double GetStartTime()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    private static int? OpenFileDescriptors()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
