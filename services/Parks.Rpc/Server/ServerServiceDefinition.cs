using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parks.Rpc;

/// <summary>Implemented by generated service base classes: binds the instance's methods to their handlers.</summary>
public interface IRpcService
{
    ServerServiceDefinition BindService();
}

/// <summary>A service's name, protobuf descriptor (for reflection) and its bound methods.</summary>
public sealed class ServerServiceDefinition
{
    private ServerServiceDefinition(string name, ServiceDescriptor? descriptor, IReadOnlyList<ServerMethodDefinition> methods)
    {
        Name = name;
        Descriptor = descriptor;
        Methods = methods;
    }

    /// <summary>The fully qualified service name.</summary>
    public string Name { get; }

    public ServiceDescriptor? Descriptor { get; }

    public IReadOnlyList<ServerMethodDefinition> Methods { get; }

    public static Builder CreateBuilder(string name, ServiceDescriptor? descriptor = null) => new(name, descriptor);

    public sealed class Builder
    {
        private readonly string _name;
        private readonly ServiceDescriptor? _descriptor;
        private readonly List<ServerMethodDefinition> _methods = [];

        internal Builder(string name, ServiceDescriptor? descriptor)
        {
            _name = name;
            _descriptor = descriptor;
        }

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
            => Add(method, MethodType.Unary, new UnaryMethodDefinition<TRequest, TResponse>(method, method.RequestCodec, method.ResponseCodec, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
            => Add(method, MethodType.ClientStreaming, new ClientStreamingMethodDefinition<TRequest, TResponse>(method, method.RequestCodec, method.ResponseCodec, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
            => Add(method, MethodType.ServerStreaming, new ServerStreamingMethodDefinition<TRequest, TResponse>(method, method.RequestCodec, method.ResponseCodec, handler));

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
            => Add(method, MethodType.DuplexStreaming, new DuplexStreamingMethodDefinition<TRequest, TResponse>(method, method.RequestCodec, method.ResponseCodec, handler));

        /// <summary>Adds a raw (pass-through) method: its handler sees each message as serialized bytes.</summary>
        public Builder AddMethod(RawMethod method, UnaryServerMethod<byte[], byte[]> handler)
            => Add(method, MethodType.Unary, new UnaryMethodDefinition<byte[], byte[]>(method, Internal.RawCodec.Instance, Internal.RawCodec.Instance, handler));

        public Builder AddMethod(RawMethod method, ClientStreamingServerMethod<byte[], byte[]> handler)
            => Add(method, MethodType.ClientStreaming, new ClientStreamingMethodDefinition<byte[], byte[]>(method, Internal.RawCodec.Instance, Internal.RawCodec.Instance, handler));

        public Builder AddMethod(RawMethod method, ServerStreamingServerMethod<byte[], byte[]> handler)
            => Add(method, MethodType.ServerStreaming, new ServerStreamingMethodDefinition<byte[], byte[]>(method, Internal.RawCodec.Instance, Internal.RawCodec.Instance, handler));

        public Builder AddMethod(RawMethod method, DuplexStreamingServerMethod<byte[], byte[]> handler)
            => Add(method, MethodType.DuplexStreaming, new DuplexStreamingMethodDefinition<byte[], byte[]>(method, Internal.RawCodec.Instance, Internal.RawCodec.Instance, handler));

        public ServerServiceDefinition Build() => new(_name, _descriptor, _methods.ToArray());

        private Builder Add(IMethod method, MethodType expected, ServerMethodDefinition definition)
        {
            if (method.Type != expected)
                throw new ArgumentException($"Method {method.FullName} is {method.Type} but the handler is for {expected}.");
            if (method.ServiceName != _name)
                throw new ArgumentException($"Method {method.FullName} does not belong to service {_name}.");
            _methods.Add(definition);
            return this;
        }
    }
}

/// <summary>One method bound to its handler; the server turns it into a call handler at start-up.</summary>
public abstract class ServerMethodDefinition
{
    private protected ServerMethodDefinition(IMethod method) => Method = method;

    public IMethod Method { get; }

    internal abstract Internal.ServerCallHandler CreateHandler(Internal.ServerRuntime runtime);
}

internal sealed class UnaryMethodDefinition<TRequest, TResponse>(IMethod method, Internal.MessageCodec<TRequest> requestCodec, Internal.MessageCodec<TResponse> responseCodec, UnaryServerMethod<TRequest, TResponse> handler)
    : ServerMethodDefinition(method)
    where TRequest : class where TResponse : class
{
    internal override Internal.ServerCallHandler CreateHandler(Internal.ServerRuntime runtime)
    {
        var invoker = handler;
        for (var i = runtime.Interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = runtime.Interceptors[i];
            var next = invoker;
            invoker = (request, context) => interceptor.UnaryServerHandler(request, context, next);
        }
        return new Internal.UnaryCallHandler<TRequest, TResponse>(Method, requestCodec, responseCodec, invoker, runtime);
    }
}

internal sealed class ClientStreamingMethodDefinition<TRequest, TResponse>(IMethod method, Internal.MessageCodec<TRequest> requestCodec, Internal.MessageCodec<TResponse> responseCodec, ClientStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodDefinition(method)
    where TRequest : class where TResponse : class
{
    internal override Internal.ServerCallHandler CreateHandler(Internal.ServerRuntime runtime)
    {
        var invoker = handler;
        for (var i = runtime.Interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = runtime.Interceptors[i];
            var next = invoker;
            invoker = (requestStream, context) => interceptor.ClientStreamingServerHandler(requestStream, context, next);
        }
        return new Internal.ClientStreamingCallHandler<TRequest, TResponse>(Method, requestCodec, responseCodec, invoker, runtime);
    }
}

internal sealed class ServerStreamingMethodDefinition<TRequest, TResponse>(IMethod method, Internal.MessageCodec<TRequest> requestCodec, Internal.MessageCodec<TResponse> responseCodec, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodDefinition(method)
    where TRequest : class where TResponse : class
{
    internal override Internal.ServerCallHandler CreateHandler(Internal.ServerRuntime runtime)
    {
        var invoker = handler;
        for (var i = runtime.Interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = runtime.Interceptors[i];
            var next = invoker;
            invoker = (request, responseStream, context) => interceptor.ServerStreamingServerHandler(request, responseStream, context, next);
        }
        return new Internal.ServerStreamingCallHandler<TRequest, TResponse>(Method, requestCodec, responseCodec, invoker, runtime);
    }
}

internal sealed class DuplexStreamingMethodDefinition<TRequest, TResponse>(IMethod method, Internal.MessageCodec<TRequest> requestCodec, Internal.MessageCodec<TResponse> responseCodec, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethodDefinition(method)
    where TRequest : class where TResponse : class
{
    internal override Internal.ServerCallHandler CreateHandler(Internal.ServerRuntime runtime)
    {
        var invoker = handler;
        for (var i = runtime.Interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = runtime.Interceptors[i];
            var next = invoker;
            invoker = (requestStream, responseStream, context) => interceptor.DuplexStreamingServerHandler(requestStream, responseStream, context, next);
        }
        return new Internal.DuplexStreamingCallHandler<TRequest, TResponse>(Method, requestCodec, responseCodec, invoker, runtime);
    }
}
