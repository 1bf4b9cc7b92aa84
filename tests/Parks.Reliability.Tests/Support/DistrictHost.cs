using System.Globalization;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.District;
using Parks.Domain;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Reliability.Tests.Support;

/// <summary>A District service in this process with its Program.cs registrations, on the state store the test chooses.</summary>
public sealed class DistrictHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DistrictHost(WebApplication app, int grpcPort, ErrorLog errors)
    {
        _app = app;
        GrpcPort = grpcPort;
        Errors = errors;
        Channel = RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    public int GrpcPort { get; }
    public RpcChannel Channel { get; }
    public ErrorLog Errors { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<DistrictHost> StartAsync(string districtId, IDictionary<string, string?> settings)
    {
        var grpcPort = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        var config = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Hosting:ShutdownTimeoutSeconds"] = "2",
            ["Parks:Security:InternalKey"] = RealZone.InternalKey,
            ["Parks:Events:Provider"] = "InMemory",
            ["Parks:Events:AppId"] = TestIds.New("rel-district"),
            ["Parks:District:Id"] = districtId,
        };
        foreach (var (k, v) in settings) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton(new InMemoryEventBroker());
        var errors = new ErrorLog();
        builder.Logging.AddProvider(new NamedErrors(errors, "district-" + districtId));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddParksDefaults("district").AddDistrict(builder);
        var app = builder.Build();
        app.MapParksDefaults();
        app.MapParksEvents();
        await app.StartAsync();
        return new DistrictHost(app, grpcPort, errors);
    }

    /// <summary>Call options with a unit system's identity signed as the gateway signs it.</summary>
    public static CallOptions As(Caller caller, TimeSpan? deadline = null)
    {
        var headers = new Metadata();
        caller.WriteTo(headers, new CallerSigner(Options.Create(new SecurityOptions { InternalKey = RealZone.InternalKey })));
        return new CallOptions(headers, DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(10)));
    }

    public static CallOptions UnitSystem(string districtId, TimeSpan? deadline = null) =>
        As(new Caller("district-" + districtId, CallerRole.UnitSystem, UnitRef.District(districtId)), deadline);

    public async Task<HealthCheckResponse.Types.ServingStatus> ReadinessAsync()
    {
        try
        {
            return (await new Health.HealthClient(Channel).CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)))).Status;
        }
        catch (RpcException)
        {
            return HealthCheckResponse.Types.ServingStatus.Unknown;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
