using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Parks.Cli.Connection;
using Parks.Cli.Output;
using Parks.Ops.V1;
using Parks.Rpc;

namespace Parks.Cli.Commands;

/// <summary>
/// <c>events tail</c> and <c>events dead-letters</c> over each service's parks.ops.v1.EventAdminService, called
/// directly as an operator (the local run's services, or the config file's list).
/// </summary>
internal static class EventsCommands
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static async Task<int> TailAsync(Target target, IReadOnlyList<string> services, IReadOnlyList<string> types, string? district,
        bool json, int? count, CancellationToken cancellationToken)
    {
        var endpoints = Endpoints(target, services);
        var request = new TailEventsRequest { SubjectPrefix = district is null ? "" : UnitPrefix(district) };
        request.EventTypes.AddRange(types);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var merged = Channel.CreateUnbounded<EventRecord>();
        var open = 0;
        var channels = new List<RpcChannel>();
        var readers = new List<Task>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                var channel = RpcChannel.ForAddress(endpoint.Address);
                channels.Add(channel);
                var call = new EventAdminService.EventAdminServiceClient(channel).TailEvents(request, new CallOptions(endpoint.Headers, cancellationToken: stop.Token));
                try
                {
                    await call.ResponseHeadersAsync;
                    open++;
                }
                catch (RpcException e)
                {
                    Console.Error.WriteLine($"parksctl: not following {endpoint.Name}: {e.StatusCode}: {e.Status.Detail}");
                    call.Dispose();
                    continue;
                }
                readers.Add(PumpAsync(call, merged.Writer, endpoint.Name, stop.Token));
            }
            if (open == 0) throw new CliException("No service could be followed.");
            // Once every followed stream has ended (the services stopped), nothing more can come: the loop below ends.
            _ = Task.WhenAll(readers).ContinueWith(_ => merged.Writer.TryComplete(), TaskScheduler.Default);
            Console.Error.WriteLine($"parksctl: following {open} service{(open == 1 ? "" : "s")}{Describe(types, district)}; Ctrl-C to stop.");
            var seen = 0;
            await foreach (var record in merged.Reader.ReadAllAsync(stop.Token))
            {
                Console.Out.WriteLine(json ? Formatter.Format(record) : Line(record));
                Console.Out.Flush();
                if (count is { } limit && ++seen >= limit) return 0;
            }
            if (cancellationToken.IsCancellationRequested) return 0;
            Console.Error.WriteLine("parksctl: every followed service stopped streaming; nothing is left to follow.");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var channel in channels) channel.Dispose();
        }
    }

    private static async Task PumpAsync(AsyncServerStreamingCall<TailEventsResponse> call, ChannelWriter<EventRecord> output, string name, CancellationToken cancellationToken)
    {
        using (call)
        {
            try
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken)) await output.WriteAsync(response.Event, cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                Console.Error.WriteLine($"parksctl: {name} stopped: {e.StatusCode}: {e.Status.Detail}");
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                // stopping
            }
        }
    }

    private static string Describe(IReadOnlyList<string> types, string? district) =>
        (types.Count > 0 ? $", types {string.Join(", ", types)}" : "") + (district is null ? "" : $", {UnitPrefix(district)}");

    /// <summary>"lingshui" or "districts/lingshui" or "parks/jinpu" → the subject prefix.</summary>
    private static string UnitPrefix(string unit) => unit.Contains('/', StringComparison.Ordinal) ? unit : "districts/" + unit;

    private static string Line(EventRecord record)
    {
        var time = record.Time?.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "";
        var direction = record.Direction == EventDirection.Published ? "published" : $"received ({Outcome(record.Outcome)})";
        return $"{time}  {record.AppId,-28} {direction,-20} {record.Type}  {record.Subject}  id={record.Id}";
    }

    private static string Outcome(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Success => "ok",
        DeliveryOutcome.Retry => "retry",
        DeliveryOutcome.Drop => "dropped",
        _ => "?",
    };

    public static async Task<int> ListDeadLettersAsync(Target target, IReadOnlyList<string> services, bool json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rows = new List<(string Service, DeadLetter Letter)>();
        var failures = 0;
        foreach (var endpoint in Endpoints(target, services))
        {
            using var channel = RpcChannel.ForAddress(endpoint.Address);
            var client = new EventAdminService.EventAdminServiceClient(channel);
            var token = "";
            try
            {
                do
                {
                    var page = await client.ListDeadLettersAsync(new ListDeadLettersRequest { PageSize = 500, PageToken = token },
                        new CallOptions(endpoint.Headers, DateTime.UtcNow + timeout, cancellationToken));
                    rows.AddRange(page.DeadLetters.Select(d => (endpoint.Name, d)));
                    token = page.NextPageToken;
                }
                while (token.Length > 0);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.Unimplemented)
            {
                // no event bus there
            }
            catch (RpcException e)
            {
                failures++;
                Console.Error.WriteLine($"parksctl: {endpoint.Name}: {e.StatusCode}: {e.Status.Detail}");
            }
        }
        if (json)
        {
            Console.Out.WriteLine("[" + string.Join(",\n", rows.Select(r => Formatter.Format(r.Letter).TrimEnd('}') + $",\"service\":{JsonSerializer.Serialize(r.Service)}}}")) + "]");
        }
        else
        {
            PlainTable.Write(Console.Out, ["SERVICE", "EVENT", "TYPE", "SUBJECT", "ATTEMPTS", "DEAD-LETTERED", "REASON"],
                [.. rows.Select(r => new[]
                {
                    r.Service, r.Letter.EventId, r.Letter.Type, r.Letter.Subject, r.Letter.Attempts.ToString(CultureInfo.InvariantCulture),
                    r.Letter.DeadLetteredTime?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                    r.Letter.Reason,
                })]);
            Console.Out.WriteLine($"{rows.Count} dead letter{(rows.Count == 1 ? "" : "s")}.");
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Replays (or discards) a dead letter, on the named service or on whichever service has it.</summary>
    public static async Task<int> SettleDeadLetterAsync(Target target, string eventId, string? service, bool discard, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var name = eventId.StartsWith("deadLetters/", StringComparison.Ordinal) ? eventId : "deadLetters/" + eventId;
        foreach (var endpoint in service is null ? target.AllServices() : [target.Service(service)])
        {
            using var channel = RpcChannel.ForAddress(endpoint.Address);
            var client = new EventAdminService.EventAdminServiceClient(channel);
            var options = new CallOptions(endpoint.Headers, DateTime.UtcNow + timeout, cancellationToken);
            try
            {
                if (discard)
                {
                    await client.DiscardDeadLetterAsync(new DiscardDeadLetterRequest { Name = name }, options);
                    Console.Out.WriteLine($"Discarded {name} on {endpoint.Name}.");
                    return 0;
                }
                var replay = await client.ReplayDeadLetterAsync(new ReplayDeadLetterRequest { Name = name }, options);
                if (replay.Outcome == DeliveryOutcome.Success)
                {
                    Console.Out.WriteLine($"Replayed {name} on {endpoint.Name}: handled, and removed from the dead letters.");
                    return 0;
                }
                Console.Out.WriteLine($"Replayed {name} on {endpoint.Name}: {Outcome(replay.Outcome)}; it stays a dead letter: {replay.DeadLetter?.Reason}");
                return 1;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.Unimplemented && service is null)
            {
                // not this one
            }
        }
        throw new CliException($"No service has dead letter {name}.");
    }

    private static List<Endpoint> Endpoints(Target target, IReadOnlyList<string> services)
    {
        var endpoints = services.Count > 0 ? services.Select(target.Service).ToList() : target.AllServices().ToList();
        if (endpoints.Count == 0)
            throw new CliException("No services to ask: start the local run, or list them under \"services\" in ~/.config/parks/config.json (e.g. through kubectl port-forward) with the internal key.");
        if (string.IsNullOrEmpty(target.InternalKey))
            throw new CliException("The event bus's admin API needs operator identity: pass --internal-key or set PARKS_INTERNAL_KEY (the local run provides it).");
        return endpoints;
    }
}
