using System.Net;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Gateway.Api;
using static Parks.Gateway.Tests.Fakes.AnyMethodBackend;
using Parks.Gateway.Tests.Fakes;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>
/// The full authorisation matrix: every caller × every write method of the allow-list × every unit, over gRPC and
/// (for unary methods) REST. The matrix is generated from the allow-list, so a new write method is covered without
/// touching this test; the expected outcome is stated here, independently of the gateway's rules.
/// </summary>
[Collection(ZoneCollection.Name)]
public sealed class AuthorizationMatrixTests(ZoneFixture zone)
{
    [Fact]
    public async Task Every_caller_may_write_exactly_what_it_owns_through_every_write_method()
    {
        var allowList = zone.Gateway.Services.GetRequiredService<AllowList>();
        var writes = allowList.WriteMethods.ToArray();
        Assert.NotEmpty(writes);
        var mismatches = new List<string>();
        var invoker = zone.Gateway.Channel.CreateRawCallInvoker();
        var checkedCalls = 0;
        foreach (var method in writes)
        {
            foreach (var caller in GatewayHost.Callers)
            {
                // A service holding one unit's data writes that unit whatever the request says; a write for something
                // other than a unit or an enterprise addresses no unit.
                var units = method.OwnerUnit is { } owner ? [owner]
                    : method.Access.ToString() == "WriteEnterprise" && !AddressesEnterprise(method) ? [UnitRef.District("lingshui")]
                    : ZoneFixture.Units;
                foreach (var unit in units)
                {
                    var request = RequestFor(method, unit, out var resource);
                    var expected = Expected(caller, method, unit);
                    var (grpcStatus, detail) = await CallGrpcAsync(invoker, method, request, caller);
                    checkedCalls++;
                    Check("grpc", grpcStatus, detail);
                    if (method.Type == MethodType.Unary)
                    {
                        var (restStatus, restDetail) = await CallRestAsync(method, request, caller);
                        checkedCalls++;
                        Check("rest", restStatus, restDetail);
                    }

                    void Check(string transport, StatusCode status, string text)
                    {
                        var denied = status == StatusCode.PermissionDenied;
                        if (denied == expected && status != StatusCode.Unauthenticated) return;
                        mismatches.Add($"{transport} {caller} {method.FullName} {resource}: expected {(expected ? "PERMISSION_DENIED" : "allowed")}, got {status} {text}");
                    }

                    if (expected && ReachedBackend(method, caller, resource) is { } leak)
                        mismatches.Add($"{caller} {method.FullName} {resource}: denied, yet {leak} served it");
                }
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedCalls} calls disagree:\n" + string.Join("\n", mismatches.Take(50)));
    }

    /// <summary>
    /// The rule, as the project states it: operators may write anywhere; the dashboard nowhere; a unit system only
    /// its own unit's data (for writes on behalf of an enterprise, the enterprise must be in its unit — the shared
    /// service checks that); operator-only methods only operators.
    /// </summary>
    private static bool Expected(string caller, ExposedMethod method, UnitRef target)
    {
        var access = method.Access.ToString();
        if (caller.StartsWith("operator", StringComparison.Ordinal)) return false;
        if (caller.StartsWith("dashboard", StringComparison.Ordinal)) return true;
        if (access == "WriteOperator") return true;
        // Acting for something other than an enterprise named by credit code: the service decides; the gateway
        // lets unit systems through.
        if (access == "WriteEnterprise" && !AddressesEnterprise(method)) return false;
        var own = caller == "sciencecity" ? UnitRef.ScienceCity
            : caller.StartsWith("district-", StringComparison.Ordinal) ? UnitRef.District(caller["district-".Length..])
            : UnitRef.Park(caller["branchpark-".Length..]);
        return own != target;
    }

    /// <summary>
    /// A request of the method addressed to the unit: its resource field set to the unit (parent), a resource of the
    /// unit (name), or, for writes on behalf of an enterprise, the credit code of an enterprise of the unit.
    /// </summary>
    private static byte[] RequestFor(ExposedMethod method, UnitRef unit, out string resource)
    {
        var message = method.Descriptor.InputType.Parser.ParseFrom(ByteString.Empty);
        if (method.OwnerUnit is { } owner)
        {
            resource = owner.ResourceName;
        }
        else if (method.Authorize is { } authorize)
        {
            // Routed to some unit, written by the unit the authorize field names.
            resource = unit.ResourceName;
            Set(message, method.Resource!, "parks/jinpu");
            Set(message, authorize, resource);
        }
        else
        {
            if (method.Resource is not { } field)
            {
                resource = string.Empty;
                return message.ToByteArray();
            }
            resource = AddressesEnterprise(method) ? LedgerBackend.EnterpriseOf[unit]
                : field.Fields[^1].Name == "parent" ? unit.ResourceName
                : $"{unit.ResourceName}/items/{ZoneFixture.Unique("m")}";
            Set(message, field, resource);
        }
        // Whatever else a create needs to pass the backend's validation.
        if (message.Descriptor.FindFieldByName("widget") is { } widget)
        {
            var w = (IMessage?)widget.Accessor.GetValue(message) ?? widget.MessageType.Parser.ParseFrom(ByteString.Empty);
            w.Descriptor.FindFieldByName("display_name").Accessor.SetValue(w, "matrix");
            widget.Accessor.SetValue(message, w);
        }
        return message.ToByteArray();
    }

    private static void Set(IMessage message, FieldPath field, string value)
    {
        var current = message;
        foreach (var f in field.Fields.Take(field.Fields.Count - 1))
        {
            var next = (IMessage?)f.Accessor.GetValue(current);
            if (next is null)
            {
                next = f.MessageType.Parser.ParseFrom(ByteString.Empty);
                f.Accessor.SetValue(current, next);
            }
            current = next;
        }
        field.Fields[^1].Accessor.SetValue(current, value);
    }

    private async Task<(StatusCode, string)> CallGrpcAsync(RawCallInvoker invoker, ExposedMethod method, byte[] request, string caller)
    {
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method.Raw, zone.Gateway.As(caller), request).ResponseAsync;
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method.Raw, zone.Gateway.As(caller)))
                    {
                        try
                        {
                            await call.RequestStream.WriteAsync(request);
                            await call.RequestStream.CompleteAsync();
                        }
                        catch (RpcException)
                        {
                            // The gateway may refuse the call while the request is still being written: the
                            // outcome is the call's status, which the response carries.
                        }
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    throw new NotSupportedException($"{method.FullName}: add streaming writes of this kind to the matrix");
            }
            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }

    private async Task<(StatusCode, string)> CallRestAsync(ExposedMethod method, byte[] request, string caller)
    {
        var message = method.Descriptor.InputType.Parser.ParseFrom(request);
        var json = Google.Protobuf.JsonFormatter.Default.Format(message);
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc" + method.FullName, caller, json));
        if (response.StatusCode == HttpStatusCode.OK) return (StatusCode.OK, string.Empty);
        var body = await response.Content.ReadAsStringAsync();
        using var problem = System.Text.Json.JsonDocument.Parse(body);
        return ((StatusCode)problem.RootElement.GetProperty("grpcCode").GetInt32(), body);
    }

    private string? ReachedBackend(ExposedMethod method, string caller, string resource)
    {
        foreach (var (name, log) in zone.Logs)
        {
            if (log.Calls.Any(c => "/" + method.ServiceName + "/" + c.Method == method.FullName && c.Resource == resource && c.Caller.Id == caller)) return name;
        }
        return null;
    }
}
