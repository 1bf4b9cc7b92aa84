using Google.Protobuf;
using Grpc.Testing;
using Parks.Rpc;

namespace Parks.Rpc.Tests;

/// <summary>
/// The interop TestService as grpc/grpc doc/interop-test-descriptions.md's "Server" section requires:
/// payload sizes, per-response intervals, Echo Status and Echo Metadata.
/// </summary>
internal sealed class TestServiceImpl : TestService.TestServiceBase
{
    private const string EchoInitial = "x-grpc-test-echo-initial";
    private const string EchoTrailing = "x-grpc-test-echo-trailing-bin";

    /// <summary>Calls seen per request payload (as UTF-8 text), so retry tests can count attempts.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Attempts = new();

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context) => UnaryCall(request, context);

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        if (request.Payload is { } payload) Attempts.AddOrUpdate(payload.Body.ToStringUtf8(), 1, (_, n) => n + 1);
        await EchoMetadataAsync(context);
        EchoStatus(request.ResponseStatus, context);
        return new SimpleResponse { Payload = Payload(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0) await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Payload(parameters.Size) });
        }
        EchoStatus(request.ResponseStatus, context);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        var total = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            total += requestStream.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            EchoStatus(request.ResponseStatus, context);
            foreach (var parameters in request.ResponseParameters)
            {
                if (parameters.IntervalUs > 0) await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
                await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Payload(parameters.Size) });
            }
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        var requests = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken)) requests.Add(requestStream.Current);
        foreach (var parameters in requests.SelectMany(r => r.ResponseParameters))
        {
            await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = Payload(parameters.Size) });
        }
    }

    private static Payload Payload(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static void EchoStatus(EchoStatus? status, ServerCallContext context)
    {
        if (status is null || status.Code == 0) return;
        throw new RpcException(new Status((StatusCode)status.Code, status.Message));
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get(EchoInitial);
        if (initial is not null) await context.WriteResponseHeadersAsync(new Metadata { { EchoInitial, initial.Value } });
        var trailing = context.RequestHeaders.Get(EchoTrailing);
        if (trailing is not null) context.ResponseTrailers.Add(EchoTrailing, trailing.ValueBytes);
    }
}
