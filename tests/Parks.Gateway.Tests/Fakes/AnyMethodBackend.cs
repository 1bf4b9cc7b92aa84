using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Gateway.Tests.Fakes;

/// <summary>
/// A stand-in for every exposed backend service the tests have no dedicated fake for (the product's own services):
/// each method answers with an empty response after recording what it served and for whom, from the caller identity
/// the gateway signed. A write on behalf of an enterprise named by credit code is refused unless the enterprise is
/// in the caller's unit, as the shared services do.
/// </summary>
internal static class AnyMethodBackend
{
    public const string TestPackage = "parks.gatewaytest.";

    /// <summary>The exposed services of the product's allow-list that are served by backends.</summary>
    public static IEnumerable<string> ProductServices(AllowList allowList) =>
        allowList.Methods.Values.Where(m => m.BackendKind != BackendKind.Local && !m.ServiceName.StartsWith(TestPackage, StringComparison.Ordinal))
            .Select(m => m.ServiceName).Distinct(StringComparer.Ordinal);

    public static ServerServiceDefinition Build(AllowList allowList, ServiceCatalog catalog, string service, CallLog log)
    {
        var builder = ServerServiceDefinition.CreateBuilder(service, catalog.FindService(service));
        foreach (var method in allowList.Methods.Values.Where(m => m.ServiceName == service))
        {
            if (method.Type != MethodType.Unary) throw new NotSupportedException($"{method.FullName}: add streaming to the fake");
            builder.AddMethod(method.Raw, (UnaryServerMethod<byte[], byte[]>)((request, context) => Serve(method, request, context, log)));
        }
        return builder.Build();
    }

    /// <summary>True when the method addresses an enterprise by credit code (its resource field is a uscc).</summary>
    public static bool AddressesEnterprise(ExposedMethod method) =>
        method.Access == AccessKind.WriteEnterprise && method.Resource?.Fields[^1].Name.EndsWith("uscc", StringComparison.Ordinal) == true;

    private static Task<byte[]> Serve(ExposedMethod method, byte[] request, ServerCallContext context, CallLog log)
    {
        var caller = context.GetCaller();
        var resource = (method.Authorize ?? method.Resource)?.ReadFrom(request) ?? string.Empty;
        if (AddressesEnterprise(method))
        {
            var owner = LedgerBackend.EnterpriseOf.FirstOrDefault(e => e.Value == resource).Key;
            if (owner == default) throw new NotFoundException("Enterprise", "enterprises/" + resource);
            caller.DemandWrite(owner, "act for enterprise " + resource);
        }
        if (method.IsWrite && caller.Role == CallerRole.Dashboard) throw new PermissionDeniedException("the dashboard is read-only");
        log.Add(new ServedCall(method.Descriptor.Name, resource, caller, context.Deadline, new Dictionary<string, string>()));
        return Task.FromResult(Array.Empty<byte>());
    }
}
