using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Health.V1;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Hosting.Security;
using Parks.Reliability.Corpus;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 5, the fixed regression corpus: malformed protobuf requests against every public method of the real service
/// hosts (sent straight to each host as an operator, so they reach the deepest code), and malformed JSON against the
/// gateway's REST edge. Every answer is a clean status — never UNKNOWN (an unhandled exception), never a hang, never
/// internals in the message — and every host keeps serving. tools/reliability fuzz mutates the same corpus at volume.
/// </summary>
[Collection(RealZoneCollection.Name)]
public sealed class HostileInputTests(RealZoneFixture fixture)
{
    private RealZone Zone => fixture.Zone;

    /// <summary>Fragments that must never reach a caller: stack traces, exception types, source paths, infrastructure.</summary>
    internal static readonly string[] Leaks = ["   at ", "Exception", ".cs:line", "/work/", "/home/", "System.", "StackExchange", "Redis", "127.0.0.1"];

    [Fact]
    public async Task Malformed_protobuf_requests_to_every_public_method_get_a_clean_status_and_every_host_keeps_serving()
    {
        using var raw = new RawGrpc();
        var identity = new Metadata();
        new Caller("operator", CallerRole.Operator, null).WriteTo(identity, new CallerSigner(Microsoft.Extensions.Options.Options.Create(new SecurityOptions { InternalKey = RealZone.InternalKey })));
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>();
        var calls = 0;
        var viaGateway = new Metadata { { "authorization", "Bearer " + Zone.Keys["operator"] } };
        var gatewayAddress = Zone.Gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Parks.Hosting.EndpointOptions>>().Value.GrpcPort;
        // Straight to each host, then through the gateway (which reads the resource field from the same bytes).
        var targets = PublicMethods().Select(t => (t.Method, t.Host, Address: Zone.GrpcAddressOf(t.Host), Identity: identity))
            .Concat(PublicMethods().Select(t => t.Method).Distinct().Select(m => (Method: m, Host: "gateway", Address: $"http://127.0.0.1:{gatewayAddress}", Identity: viaGateway)));
        foreach (var (method, host, address, headers) in targets)
        {
            var cases = HostileCorpus.For(method.Descriptor.InputType).Select(c => (c.Case, Body: HostileCorpus.Frame(c.Message)))
                .Append(("oversized (5 MiB)", HostileCorpus.Frame(HostileCorpus.Oversized())))
                .Append(("length prefix beyond the body", [0, 0, 0, 1, 0, 1, 2, 3]))
                .Append(("compressed flag without encoding", [1, 0, 0, 0, 1, 0]));
            foreach (var (name, body) in cases)
            {
                var (status, message) = await raw.SendAsync(address, method.Raw.FullName, body, headers);
                calls++;
                var code = status >= 0 ? ((StatusCode)status).ToString() : $"HTTP {-status}";
                counts[code] = counts.GetValueOrDefault(code) + 1;
                if (status is < 0 or (int)StatusCode.Unknown or (int)StatusCode.DeadlineExceeded)
                    problems.Add($"{host} {method.FullName} [{name}]: {code} {message}");
                if (name.StartsWith("oversized", StringComparison.Ordinal) && status != (int)StatusCode.ResourceExhausted)
                    problems.Add($"{host} {method.FullName} [{name}]: expected RESOURCE_EXHAUSTED, got {code}");
                if (Leaks.FirstOrDefault(l => message.Contains(l, StringComparison.Ordinal)) is { } leak)
                    problems.Add($"{host} {method.FullName} [{name}]: message leaks '{leak}': {message}");
            }
        }
        foreach (var host in Zone.BackendAddresses.Keys)
        {
            using var channel = RpcChannel.ForAddress(Zone.GrpcAddressOf(host));
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
            if (health.Status != HealthCheckResponse.Types.ServingStatus.Serving) problems.Add($"{host} is {health.Status} after the corpus");
        }
        fixture.Record("hostile input: hostile protobuf requests sent (every public method x corpus, to its host and through the gateway)", calls);
        fixture.Record("hostile input: hostile protobuf answers by status", string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        Assert.True(problems.Count == 0, $"{problems.Count} of {calls}:\n" + string.Join("\n", problems.Take(60)));
    }

    [Fact]
    public async Task Malformed_json_and_wrong_types_at_the_rest_edge_are_400_problems()
    {
        var problems = new List<string>();
        var calls = 0;
        foreach (var method in Zone.AllowList.Methods.Values.Where(m => m.Type == MethodType.Unary).OrderBy(m => m.FullName, StringComparer.Ordinal))
        {
            foreach (var (name, body) in JsonCorpus(method.Descriptor.InputType))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/rpc" + method.FullName) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Zone.Keys["operator"]);
                using var response = await Zone.GatewayHttp.SendAsync(request);
                calls++;
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    problems.Add($"{method.FullName} [{name}]: {(int)response.StatusCode} {text}");
                    continue;
                }
                using var problem = JsonDocument.Parse(text);
                if (problem.RootElement.GetProperty("grpcStatus").GetString() != "INVALID_ARGUMENT") problems.Add($"{method.FullName} [{name}]: {text}");
                if (Leaks.FirstOrDefault(l => text.Contains(l, StringComparison.Ordinal)) is { } leak) problems.Add($"{method.FullName} [{name}]: leaks '{leak}': {text}");
            }
        }
        fixture.Record("hostile input: malformed REST/JSON requests sent (every unary exposed method x corpus), all 400 problem+json INVALID_ARGUMENT", calls);
        Assert.True(problems.Count == 0, $"{problems.Count} of {calls}:\n" + string.Join("\n", problems.Take(60)));
    }

    private static IEnumerable<(string Name, byte[] Body)> JsonCorpus(MessageDescriptor input)
    {
        yield return ("truncated", "{\"a\":"u8.ToArray());
        yield return ("array", "[]"u8.ToArray());
        yield return ("string", "\"text\""u8.ToArray());
        yield return ("not json", "parent=districts/lingshui"u8.ToArray());
        yield return ("unknown field", "{\"noSuchFieldAnywhere\":1}"u8.ToArray());
        yield return ("invalid utf-8", [(byte)'{', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        yield return ("deep nesting", Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}"));
        yield return ("duplicate brace", "{{}}"u8.ToArray());
        foreach (var field in input.Fields.InDeclarationOrder().Take(3))
        {
            var wrong = field.IsRepeated ? "{\"x\":1}"
                : field.FieldType switch
                {
                    FieldType.String or FieldType.Bytes => "{\"x\":1}",
                    FieldType.Bool => "\"maybe\"",
                    FieldType.Message => "42",
                    FieldType.Enum => "\"NO_SUCH_VALUE\"",
                    _ => "\"not a number\"",
                };
            yield return ($"wrong type for {field.Name}", Encoding.UTF8.GetBytes($"{{\"{field.JsonName}\":{wrong}}}"));
        }
    }

    /// <summary>Every method the gateway exposes, with a host that serves it (units methods: a district and branch parks).</summary>
    private IEnumerable<(ExposedMethod Method, string Host)> PublicMethods()
    {
        foreach (var method in Zone.AllowList.Methods.Values.OrderBy(m => m.FullName, StringComparer.Ordinal))
        {
            if (method.BackendKind == BackendKind.Local || method.Type != MethodType.Unary && method.Type != MethodType.ServerStreaming) continue;
            if (method.Backend is { } fixedBackend) yield return (method, fixedBackend);
            else if (method.OwnerUnit == UnitRef.ScienceCity) yield return (method, "sciencecity");
            else if (method.ServiceName.StartsWith("parks.district.", StringComparison.Ordinal)) yield return (method, "district-lingshui");
            else
            {
                yield return (method, "district-lingshui");
                yield return (method, "branchparks");
            }
        }
    }
}
