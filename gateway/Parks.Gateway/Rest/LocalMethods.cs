using System.Reflection;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Parks.Gateway.Api;
using Parks.Gateway.Pipeline;
using Parks.Rpc;

namespace Parks.Gateway.Rest;

/// <summary>
/// Calls the gateway's own services (overview, zone, audit) for REST requests, in process: each exposed local method
/// is bound at start-up to the implementation's method of the same name, so a local method without an implementation
/// stops the gateway instead of failing later.
/// </summary>
internal sealed class LocalMethods
{
    private readonly Dictionary<string, Func<IMessage, ServerCallContext, Task<IMessage>>> _methods = new(StringComparer.Ordinal);

    public LocalMethods(AllowList allowList, IEnumerable<IRpcService> implementations)
    {
        var byService = implementations.ToDictionary(i => i.BindService().Name, StringComparer.Ordinal);
        foreach (var method in allowList.Methods.Values.Where(m => m.BackendKind == BackendKind.Local))
        {
            if (!byService.TryGetValue(method.ServiceName, out var implementation))
                throw new InvalidOperationException($"The allow-list serves {method.ServiceName} locally but the gateway has no implementation of it.");
            var input = method.Descriptor.InputType.ClrType;
            var info = implementation.GetType().GetMethod(method.Descriptor.Name, BindingFlags.Public | BindingFlags.Instance, [input, typeof(ServerCallContext)])
                ?? throw new InvalidOperationException($"{implementation.GetType().Name} has no method {method.Descriptor.Name}({input.Name}, ServerCallContext).");
            _methods[method.FullName] = async (request, context) =>
            {
                Task task;
                try
                {
                    task = (Task)info.Invoke(implementation, [request, context])!;
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                    throw;
                }
                await task;
                return (IMessage)task.GetType().GetProperty("Result")!.GetValue(task)!;
            };
        }
    }

    public Task<IMessage> InvokeAsync(ExposedMethod method, IMessage request, ServerCallContext context) =>
        _methods[method.FullName](request, context);
}

/// <summary>The call context a local method sees when it is called for a REST request.</summary>
internal sealed class LocalCallContext : ServerCallContext
{
    private readonly HttpContext _http;
    private readonly Dictionary<object, object> _userState = [];

    public LocalCallContext(HttpContext http, GatewayCall call, DateTime deadline)
    {
        _http = http;
        Method = call.Method.FullName;
        Deadline = deadline;
        call.AttachTo(this);
    }

    public override string Method { get; }
    public override string Host => _http.Request.Host.Value ?? string.Empty;
    public override string Peer => $"ipv4:{_http.Connection.RemoteIpAddress}:{_http.Connection.RemotePort}";
    public override DateTime Deadline { get; }
    public override Metadata RequestHeaders { get; } = [];
    public override CancellationToken CancellationToken => _http.RequestAborted;
    public override Metadata ResponseTrailers { get; } = [];
    public override Status Status { get; set; } = Status.DefaultSuccess;
    public override IDictionary<object, object> UserState => _userState;
    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;
    public override HttpContext? GetHttpContext() => _http;
}
