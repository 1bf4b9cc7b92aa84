using System.Text.Json;
using Parks.Hosting.Security;
using Parks.Ops.V1;
using Parks.Rpc;
using Parks.Testing;
using Parks.Tools.Tests.Support;

namespace Parks.Tools.Tests;

/// <summary>parksctl events tail and dead-letters against a process with a real event bus and its admin API.</summary>
public sealed class EventsCommandTests
{
    [Fact]
    public async Task Tail_follows_published_and_received_events_filtered_by_type_and_district()
    {
        await using var bus = await BusHost.StartAsync("parks-tail-test");
        var runFile = bus.WriteRunFile();
        using var tail = Parksctl.Start(["events", "tail", "--run-file", runFile, "--json", "--count", "2",
            "--type", "parks.events.v1.EnterpriseRegistered", "--district", "lingshui"]);
        var stderr = new List<string>();
        var following = new TaskCompletionSource();
        tail.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.Add(e.Data);
            if (e.Data.Contains("following 1 service", StringComparison.Ordinal)) following.TrySetResult();
        };
        tail.BeginErrorReadLine();
        var output = tail.StandardOutput.ReadToEndAsync();
        await following.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await bus.PublishAsync("longtou", "elsewhere"); // another district: filtered out
        var sent = await bus.PublishAsync("lingshui", "acme");

        Assert.True(Parksctl.WaitForExit(tail, TimeSpan.FromSeconds(60)), "tail did not stop after --count 2: " + string.Join("\n", stderr));
        Assert.Equal(0, tail.ExitCode);
        var records = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(sent.Id, r.GetProperty("id").GetString()));
        Assert.All(records, r => Assert.Equal("districts/lingshui/enterprises/acme", r.GetProperty("subject").GetString()));
        Assert.Equal(["EVENT_DIRECTION_PUBLISHED", "EVENT_DIRECTION_RECEIVED"], records.Select(r => r.GetProperty("direction").GetString()).Order());
        Assert.Contains(records, r => r.TryGetProperty("outcome", out var o) && o.GetString() == "DELIVERY_OUTCOME_SUCCESS");
    }

    [Fact]
    public async Task Tail_ends_with_an_error_when_every_followed_service_stops()
    {
        var bus = await BusHost.StartAsync("parks-tail-stop-test");
        var runFile = bus.WriteRunFile();
        using var tail = Parksctl.Start(["events", "tail", "--run-file", runFile]);
        try
        {
            var stderr = new List<string>();
            var following = new TaskCompletionSource();
            tail.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (stderr) stderr.Add(e.Data);
                if (e.Data.Contains("following 1 service", StringComparison.Ordinal)) following.TrySetResult();
            };
            tail.BeginErrorReadLine();
            _ = tail.StandardOutput.ReadToEndAsync();
            await following.Task.WaitAsync(TimeSpan.FromSeconds(60));

            await bus.DisposeAsync();

            Assert.True(Parksctl.WaitForExit(tail, TimeSpan.FromSeconds(60)), "tail kept waiting on a service that had stopped: " + string.Join("\n", stderr));
            Assert.Equal(1, tail.ExitCode);
            lock (stderr) Assert.Contains(stderr, l => l.Contains("every followed service stopped streaming", StringComparison.Ordinal));
        }
        finally
        {
            if (!tail.HasExited) tail.Kill(entireProcessTree: true);
            await bus.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_replayed_once_the_handler_works_again()
    {
        await using var bus = await BusHost.StartAsync("parks-dead-letter-test");
        var runFile = bus.WriteRunFile();
        var poison = await bus.PublishAsync("lingshui", "poison");
        await Eventually.WaitUntilAsync(async () => await bus.DeadLetters.GetAsync(poison.Id) is not null, "the poison event to be dead-lettered");

        var list = await Parksctl.RunAsync(["events", "dead-letters", "--run-file", runFile, "--json"]);
        Assert.True(list.ExitCode == 0, list.ToString());
        var letter = Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray());
        Assert.Equal(poison.Id, letter.GetProperty("eventId").GetString());
        Assert.Equal("parks-dead-letter-test", letter.GetProperty("service").GetString());
        Assert.Contains("poison enterprise", letter.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var stillFailing = await Parksctl.RunAsync(["events", "dead-letters", "replay", poison.Id, "--run-file", runFile]);
        Assert.Equal(1, stillFailing.ExitCode);
        Assert.Contains("stays a dead letter", stillFailing.Output, StringComparison.Ordinal);
        Assert.NotNull(await bus.DeadLetters.GetAsync(poison.Id));

        bus.PoisonFails = false;
        var replayed = await Parksctl.RunAsync(["events", "dead-letters", "replay", poison.Id, "--run-file", runFile]);
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Null(await bus.DeadLetters.GetAsync(poison.Id));
        Assert.Equal(0, await bus.DeadLetters.CountAsync());
    }

    [Fact]
    public async Task The_admin_API_is_for_operators_only()
    {
        await using var bus = await BusHost.StartAsync("parks-admin-auth-test");
        using var channel = RpcChannel.ForAddress(bus.GrpcAddress);
        var client = new EventAdminService.EventAdminServiceClient(channel);
        var signer = new CallerSigner(Microsoft.Extensions.Options.Options.Create(new SecurityOptions { InternalKey = BusHost.InternalKey }));
        var dashboard = new Parks.Rpc.Metadata();
        new Caller("dashboard", CallerRole.Dashboard, null).WriteTo(dashboard, signer);

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDeadLettersAsync(new ListDeadLettersRequest()));
        var notOperator = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDeadLettersAsync(new ListDeadLettersRequest(), new CallOptions(dashboard)));

        Assert.Equal(Parks.Rpc.StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(Parks.Rpc.StatusCode.PermissionDenied, notOperator.StatusCode);
    }
}
