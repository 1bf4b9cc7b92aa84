using System.Collections.Frozen;
using System.Text.Json;
using Google.Protobuf.Reflection;
using Parks.Gateway.Domain;
using Parks.Rpc;

namespace Parks.Gateway.Api;

/// <summary>Where the gateway sends a service's calls.</summary>
internal enum BackendKind
{
    /// <summary>To the unit the request's resource names: a district's instance, the branch-parks or Science City service.</summary>
    Unit,
    /// <summary>Always to one named backend (talent, finance, …).</summary>
    Fixed,
    /// <summary>Served by the gateway itself (city overview, zone reference data, audit).</summary>
    Local,
}

/// <summary>One method the gateway exposes, as the allow-list classifies it.</summary>
internal sealed class ExposedMethod
{
    public required string FullName { get; init; }
    public required string ServiceName { get; init; }
    public required MethodDescriptor Descriptor { get; init; }
    public required MethodType Type { get; init; }
    public required AccessKind Access { get; init; }
    public required BackendKind BackendKind { get; init; }

    /// <summary>The backend of a <see cref="BackendKind.Fixed"/> service (a key of <c>Parks:Services</c>).</summary>
    public string? Backend { get; init; }

    /// <summary>The request field naming the resource the call addresses (routing, authorisation and audit).</summary>
    public FieldPath? Resource { get; init; }

    /// <summary>
    /// For unit writes whose writer is named by another field than the routed resource (a referral is created in the
    /// receiving unit by the sending unit, <c>referral.from_unit</c>): the field whose unit must be the caller's.
    /// </summary>
    public FieldPath? Authorize { get; init; }

    /// <summary>For services that hold one unit's data (the Science City's): the unit every unit write writes.</summary>
    public Parks.Domain.UnitRef? OwnerUnit { get; init; }

    /// <summary>For unit-routed names that belong to no unit (zone-wide names), the backend that answers them.</summary>
    public string? ZoneWideBackend { get; init; }

    public IReadOnlyList<RestRoute> RestRoutes { get; init; } = [];

    /// <summary>The pass-through form; idempotent as the proto declares, so the client may retry it after UNAVAILABLE.</summary>
    public RawMethod Raw => field ??= new RawMethod(Type, ServiceName, Descriptor.Name,
        Descriptor.GetOptions()?.IdempotencyLevel is Google.Protobuf.Reflection.MethodOptions.Types.IdempotencyLevel.Idempotent or Google.Protobuf.Reflection.MethodOptions.Types.IdempotencyLevel.NoSideEffects);

    public bool IsWrite => Access.IsWrite();

    public override string ToString() => FullName;
}

/// <summary>
/// The explicit list of what the gateway exposes (Api/allow-list.json): every exposed service with where its calls
/// go, and every one of its methods classified as read or write and by who may call it. A service's method that is
/// neither classified nor listed as hidden stops the gateway at start-up, so a new method is never exposed, or left
/// out, by accident. Loaded against the protobuf descriptors, so every name is checked.
/// </summary>
internal sealed class AllowList
{
    public const string EmbeddedResourceName = "Parks.Gateway.Api.allow-list.json";

    private AllowList(IReadOnlyList<ExposedMethod> methods, IReadOnlyCollection<string> publicServices, IReadOnlyDictionary<string, IReadOnlyList<string>> hidden)
    {
        Methods = methods.ToFrozenDictionary(m => m.FullName, StringComparer.Ordinal);
        ServiceNames = methods.Select(m => m.ServiceName).Distinct().ToArray();
        PublicServices = publicServices.ToFrozenSet(StringComparer.Ordinal);
        Hidden = hidden;
    }

    /// <summary>Exposed methods by path, e.g. <c>/parks.units.v1.EnterpriseService/CreateEnterprise</c>.</summary>
    public FrozenDictionary<string, ExposedMethod> Methods { get; }

    public IReadOnlyList<string> ServiceNames { get; }

    /// <summary>Infrastructure services served without authentication (health, reflection).</summary>
    public FrozenSet<string> PublicServices { get; }

    /// <summary>Methods of exposed services deliberately not exposed, by service.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Hidden { get; }

    public IEnumerable<ExposedMethod> WriteMethods => Methods.Values.Where(m => m.IsWrite).OrderBy(m => m.FullName, StringComparer.Ordinal);

    public ExposedMethod? Find(string? path) => path is not null && Methods.TryGetValue(path, out var method) ? method : null;

    /// <summary>The allow-list shipped inside the gateway assembly.</summary>
    public static string ReadEmbedded()
    {
        using var stream = typeof(AllowList).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"The embedded allow-list {EmbeddedResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads and checks one or more allow-list documents; every problem is reported at once.</summary>
    public static AllowList Load(IEnumerable<string> documents, ServiceCatalog catalog)
    {
        var problems = new List<string>();
        var methods = new List<ExposedMethod>();
        var publicServices = new List<string>();
        var hidden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var parsed = documents.Select(json => JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })).ToArray();
        // One zone-wide backend for every document (the first that names one).
        var zoneWide = parsed.Select(d => d.RootElement.TryGetProperty("zoneWideBackend", out var zw) ? zw.GetString() : null).FirstOrDefault(z => z is not null);
        foreach (var document in parsed)
        {
            using var _ = document;
            var root = document.RootElement;
            if (root.TryGetProperty("public", out var pub))
            {
                foreach (var name in pub.EnumerateArray().Select(e => e.GetString()!))
                {
                    if (catalog.FindService(name) is null) problems.Add($"public service '{name}' is not a known protobuf service");
                    publicServices.Add(name);
                }
            }
            if (!root.TryGetProperty("services", out var services)) continue;
            foreach (var entry in services.EnumerateObject())
            {
                LoadService(entry.Name, entry.Value, zoneWide, catalog, methods, hidden, problems);
            }
        }
        foreach (var duplicate in methods.GroupBy(m => m.FullName).Where(g => g.Count() > 1))
            problems.Add($"{duplicate.Key} is listed more than once");
        if (problems.Count > 0)
            throw new InvalidOperationException("The gateway allow-list is invalid:\n  " + string.Join("\n  ", problems));
        return new AllowList(methods, publicServices, hidden);
    }

    private static void LoadService(string serviceName, JsonElement entry, string? zoneWide, ServiceCatalog catalog, List<ExposedMethod> methods, Dictionary<string, IReadOnlyList<string>> hidden, List<string> problems)
    {
        var service = catalog.FindService(serviceName);
        if (service is null)
        {
            problems.Add($"service '{serviceName}' is not a known protobuf service");
            return;
        }
        var backendText = entry.TryGetProperty("backend", out var b) ? b.GetString() : null;
        var (backendKind, backend) = backendText switch
        {
            null or "" => (BackendKind.Unit, (string?)null),
            "unit" => (BackendKind.Unit, null),
            "local" => (BackendKind.Local, null),
            _ => (BackendKind.Fixed, backendText),
        };
        if (backendText is null) problems.Add($"{serviceName}: 'backend' is required (\"unit\", \"local\" or a backend name)");
        Parks.Domain.UnitRef? owner = null;
        if (entry.TryGetProperty("owner", out var o))
        {
            if (Parks.Domain.UnitRef.TryParse(o.GetString(), out var parsedOwner)) owner = parsedOwner;
            else problems.Add($"{serviceName}: owner '{o.GetString()}' is not a unit name");
        }

        var hiddenNames = entry.TryGetProperty("hidden", out var h) ? h.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
        hidden[serviceName] = hiddenNames;
        var listed = entry.TryGetProperty("methods", out var m) ? m.EnumerateObject().ToArray() : [];
        foreach (var method in service.Methods)
        {
            if (!listed.Any(l => l.Name == method.Name) && !hiddenNames.Contains(method.Name))
                problems.Add($"{serviceName}/{method.Name} is neither classified nor hidden: add it to the allow-list as read or write, or to 'hidden'");
        }
        foreach (var name in hiddenNames.Where(n => service.FindMethodByName(n) is null))
            problems.Add($"{serviceName}: hidden method '{name}' does not exist");

        foreach (var listedMethod in listed)
        {
            var descriptor = service.FindMethodByName(listedMethod.Name);
            if (descriptor is null)
            {
                problems.Add($"{serviceName}/{listedMethod.Name} does not exist");
                continue;
            }
            if (hiddenNames.Contains(listedMethod.Name)) problems.Add($"{serviceName}/{listedMethod.Name} is both classified and hidden");
            var spec = listedMethod.Value;
            var accessText = spec.ValueKind == JsonValueKind.String ? spec.GetString() : spec.TryGetProperty("access", out var a) ? a.GetString() : null;
            if (!AccessRules.TryParse(accessText, out var access))
            {
                problems.Add($"{serviceName}/{listedMethod.Name}: access '{accessText}' is not one of read, read:operator, write:unit, write:enterprise, write:operator");
                continue;
            }
            var input = descriptor.InputType;
            FieldPath? resource;
            if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("resource", out var r))
            {
                resource = FieldPath.Resolve(input, r.GetString() ?? string.Empty, out var problem);
                if (resource is null) problems.Add($"{serviceName}/{listedMethod.Name}: resource '{r.GetString()}': {problem}");
            }
            else
            {
                resource = FieldPath.Discover(input);
            }
            FieldPath? authorize = null;
            if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("authorize", out var az))
            {
                authorize = FieldPath.Resolve(input, az.GetString() ?? string.Empty, out var problem);
                if (authorize is null) problems.Add($"{serviceName}/{listedMethod.Name}: authorize '{az.GetString()}': {problem}");
                else if (access != AccessKind.WriteUnit) problems.Add($"{serviceName}/{listedMethod.Name}: 'authorize' is for write:unit methods");
            }
            if (resource is null && (backendKind == BackendKind.Unit || (access == AccessKind.WriteUnit && owner is null && authorize is null)))
                problems.Add($"{serviceName}/{listedMethod.Name}: {input.FullName} has no resource name field (name, parent or <resource>.name) to route or authorise on; set \"resource\"");
            if (backendKind == BackendKind.Local && access.IsWrite() && access != AccessKind.WriteOperator)
                problems.Add($"{serviceName}/{listedMethod.Name}: the gateway's own services only take operator writes");

            var routes = new List<RestRoute>();
            if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("rest", out var rest))
            {
                if (access.IsWrite()) problems.Add($"{serviceName}/{listedMethod.Name}: resource-style REST routes are for reads (writes use POST /v1/rpc/...)");
                foreach (var text in rest.EnumerateArray().Select(e => e.GetString()!))
                {
                    try { routes.Add(RestRoute.Parse(text, input)); }
                    catch (FormatException ex) { problems.Add($"{serviceName}/{listedMethod.Name}: {ex.Message}"); }
                }
            }

            methods.Add(new ExposedMethod
            {
                FullName = $"/{serviceName}/{descriptor.Name}",
                ServiceName = serviceName,
                Descriptor = descriptor,
                Type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
                {
                    (false, false) => MethodType.Unary,
                    (false, true) => MethodType.ServerStreaming,
                    (true, false) => MethodType.ClientStreaming,
                    _ => MethodType.DuplexStreaming,
                },
                Access = access,
                BackendKind = backendKind,
                Backend = backend,
                Resource = resource,
                Authorize = authorize,
                OwnerUnit = owner,
                ZoneWideBackend = zoneWide,
                RestRoutes = routes,
            });
        }
    }
}
