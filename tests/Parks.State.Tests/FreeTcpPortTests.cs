using System.Net;
using System.Net.Sockets;
using Parks.Testing;

namespace Parks.State.Tests;

/// <summary>The test hosts' port retry: a port taken between choosing and binding it means choosing again; nothing else does.</summary>
public sealed class FreeTcpPortTests
{
    [Fact]
    public void Ports_are_distinct_bindable_and_below_the_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => FreeTcpPort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        if (FreeTcpPort.ListeningRange is var (low, high))
        {
            // Linux: the kernel's range is known, so no port may come from it (outgoing connections use it).
            var ephemeralFirst = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(ephemeralFirst - 1, high);
            Assert.All(ports, p => Assert.InRange(p, low, high));
        }
        foreach (var port in ports.Take(20))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public async Task A_start_whose_port_was_taken_is_retried_on_a_new_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var ports = new List<int>();

        var bound = await FreeTcpPort.StartWithRetryAsync(() =>
        {
            var port = ports.Count == 0 ? takenPort : FreeTcpPort.Next();
            ports.Add(port);
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start(); // throws AddressAlreadyInUse on the first attempt
            return Task.FromResult(listener);
        });
        using (bound)
        {
            Assert.Equal(2, ports.Count);
            Assert.Equal(ports[1], ((IPEndPoint)bound.LocalEndpoint).Port);
            Assert.NotEqual(takenPort, ports[1]);
        }
    }

    [Fact]
    public async Task Other_failures_and_the_last_attempt_are_not_hidden()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => FreeTcpPort.StartWithRetryAsync<int>(() =>
        {
            calls++;
            throw new InvalidOperationException("not a port problem");
        }));
        Assert.Equal(1, calls);

        calls = 0;
        var error = await Assert.ThrowsAsync<IOException>(() => FreeTcpPort.StartWithRetryAsync<int>(() =>
        {
            calls++;
            throw new IOException("bind failed", new SocketException((int)SocketError.AddressAlreadyInUse));
        }, attempts: 3));
        Assert.Equal(3, calls);
        Assert.True(FreeTcpPort.IsAddressInUse(error));
    }
}
