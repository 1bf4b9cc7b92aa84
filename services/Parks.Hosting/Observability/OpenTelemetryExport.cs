using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Parks.Hosting.Observability;

/// <summary>
/// OTLP export of traces and metrics, configured with the standard OpenTelemetry variables and active only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the default, or
/// <c>http/protobuf</c>), <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c> (default: the app id,
/// e.g. parks-district-lingshui). The providers are built here (OpenTelemetry.Extensions.Hosting does not restore)
/// and disposed with the host, which flushes what is still buffered.
/// </summary>
internal sealed partial class OpenTelemetryExport : IDisposable
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string HeadersKey = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>Every Parks ActivitySource and Meter (Parks.Rpc, Parks.Events, ...).</summary>
    public const string ParksSources = "Parks.*";

    private readonly TracerProvider? _tracerProvider;
    private readonly MeterProvider? _meterProvider;

    public OpenTelemetryExport(IConfiguration configuration, IOptions<ServiceIdentityOptions> identity, ILogger<OpenTelemetryExport> logger)
    {
        var endpoint = configuration[EndpointKey];
        if (string.IsNullOrWhiteSpace(endpoint)) return;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new OptionsValidationException(EndpointKey, typeof(OpenTelemetryExport), [$"{EndpointKey} must be an absolute http(s) URL, got '{endpoint}'."]);
        var protocol = configuration[ProtocolKey] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new OptionsValidationException(ProtocolKey, typeof(OpenTelemetryExport), [$"{ProtocolKey} must be 'grpc' or 'http/protobuf', got '{other}'."]),
        };
        var headers = configuration[HeadersKey];
        var serviceName = configuration[ServiceNameKey] is { Length: > 0 } configured ? configured : identity.Value.EffectiveAppId;
        var version = typeof(OpenTelemetryExport).Assembly.GetName().Version?.ToString();

        ResourceBuilder Resource() => ResourceBuilder.CreateEmpty()
            .AddService(serviceName, serviceNamespace: "parks", serviceVersion: version, autoGenerateServiceInstanceId: false,
                serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        void Configure(OtlpExporterOptions options, string signalPath)
        {
            options.Protocol = protocol;
            // With an explicit endpoint the HTTP exporter posts to it as given, so the signal path is added here
            // (the gRPC exporter needs the bare authority).
            options.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(baseUri, baseUri.AbsolutePath.TrimEnd('/') + "/" + signalPath) : baseUri;
            if (!string.IsNullOrEmpty(headers)) options.Headers = headers;
        }

        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddSource(ParksSources)
            .AddOtlpExporter(o => Configure(o, "v1/traces"))
            .Build();
        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddMeter(ParksSources, MetricsEndpoint.RuntimeMeter)
            .AddOtlpExporter(o => Configure(o, "v1/metrics"))
            .Build();
        Log.Exporting(logger, serviceName, endpoint, protocol == OtlpExportProtocol.Grpc ? "grpc" : "http/protobuf");
    }

    public bool Enabled => _tracerProvider is not null;

    /// <summary>Exports what is buffered now (tests; shutdown does it through Dispose).</summary>
    public void Flush()
    {
        _tracerProvider?.ForceFlush();
        _meterProvider?.ForceFlush();
    }

    public void Dispose()
    {
        _tracerProvider?.Dispose();
        _meterProvider?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Exporting traces and metrics of {ServiceName} over OTLP to {Endpoint} ({Protocol}).")]
        public static partial void Exporting(ILogger logger, string serviceName, string endpoint, string protocol);
    }
}
