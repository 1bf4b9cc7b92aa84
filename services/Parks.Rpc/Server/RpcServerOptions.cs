using Microsoft.Extensions.DependencyInjection;

namespace Parks.Rpc;

/// <summary>Server settings, with gRPC's usual defaults.</summary>
public sealed class RpcServerOptions
{
    /// <summary>Largest request message accepted (4 MiB, as grpc-dotnet and grpc-js); null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent; null (the default) for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>When true, UNKNOWN statuses from handler exceptions carry the exception message (never in production).</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Server interceptors, outermost first.</summary>
    public InterceptorCollection Interceptors { get; } = [];
}

/// <summary>Interceptors given as instances or as types created from the service provider at start-up.</summary>
public sealed class InterceptorCollection : System.Collections.ObjectModel.Collection<Func<IServiceProvider, Interceptor>>
{
    public void Add<TInterceptor>() where TInterceptor : Interceptor =>
        Add(sp => ActivatorUtilities.GetServiceOrCreateInstance<TInterceptor>(sp));

    public void Add(Interceptor interceptor) => Add(_ => interceptor);
}
