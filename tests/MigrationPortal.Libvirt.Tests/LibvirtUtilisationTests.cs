using System.Globalization;
using System.Text.RegularExpressions;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using Xunit.Abstractions;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// The connector's utilisation reading (issue 15 §1) against the lab's two real hosts: every figure is compared with what
/// virsh reads from the same daemons, never with a constant. Both lab hosts run on this one machine, so both report the
/// machine's own load; the guest is a TCG guest, whose QEMU burns CPU even while its busybox only prints a counter.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class LibvirtUtilisationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly LibvirtLab _lab = LibvirtLab.Current;

    /// <summary>The reading, in the test's output: what the lab's hosts really gave on this run.</summary>
    private void Show(UtilisationReading reading)
    {
        foreach (var h in reading.Hosts) output.WriteLine($"host {h.HostExternalId}: CPU {h.CpuUsedMhz:0} / {h.CpuCapacityMhz:0} MHz, memory {h.MemoryUsedMb} / {h.MemoryCapacityMb} MiB");
        foreach (var v in reading.Vms)
            output.WriteLine($"vm {v.VmExternalId} on {v.HostExternalId}: CPU {v.CpuUsedMhz:0} MHz, memory {v.MemoryUsedMb} MiB, steal {v.CpuReadyPercent:0.0} %, "
                + $"disk r/w {v.DiskReadBytesPerSecond:0}/{v.DiskWriteBytesPerSecond:0} B/s, net rx/tx {v.NetworkReceiveBytesPerSecond:0}/{v.NetworkTransmitBytesPerSecond:0} B/s");
    }

    public Task InitializeAsync() => _lab.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private LabConnector Connector(TimeSpan? interval = null) =>
        new(_lab, new LibvirtOptions { UtilisationInterval = interval ?? TimeSpan.FromSeconds(1) });

    [Fact]
    public async Task ReadUtilisationAsync_ReportsBothLabHosts_WithCapacityFromNodeInfo()
    {
        var lab = Connector();

        var reading = await lab.Connector.ReadUtilisationAsync(lab.Connection, None);
        Show(reading);

        Assert.Equal([_lab.AUri, _lab.BUri], reading.Hosts.Select(h => h.HostExternalId).Order(StringComparer.Ordinal).ToArray());
        foreach (var host in reading.Hosts)
        {
            var node = await NodeInfoAsync(host.HostExternalId);
            Assert.Equal(node.Cpus * node.Mhz, host.CpuCapacityMhz);
            Assert.Equal(node.MemoryKiB / 1024, host.MemoryCapacityMb);
            // The lab's guest alone keeps a third of a core busy (TCG), so the machine is never idle over a second.
            Assert.InRange(host.CpuUsedMhz, 1, host.CpuCapacityMhz);
            // Used memory as virsh nodememstats computes it right after: it moves a little between the two reads.
            var memory = await NodeMemoryKiBAsync(host.HostExternalId);
            var used = (memory["total"] - memory["free"] - memory["buffers"] - memory["cached"]) / 1024;
            Assert.InRange(host.MemoryUsedMb, 1, host.MemoryCapacityMb);
            Assert.True(Math.Abs(host.MemoryUsedMb - used) <= Math.Max(256, used / 10), $"{host.HostExternalId}: the reading says {host.MemoryUsedMb} MiB used, virsh nodememstats {used} MiB.");
        }
    }

    [Fact]
    public async Task ReadUtilisationAsync_ReportsTheRunningGuestOnHostA_WithItsCpuMemoryAndRates()
    {
        var lab = Connector();
        var before = await DomStatsAsync(_lab.AUri);
        var bracket = System.Diagnostics.Stopwatch.StartNew();

        var reading = await lab.Connector.ReadUtilisationAsync(lab.Connection, None);
        Show(reading);

        var after = await DomStatsAsync(_lab.AUri);
        bracket.Stop();
        var vm = Assert.Single(reading.Vms, v => string.Equals(v.VmExternalId, _lab.GuestUuid, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(_lab.AUri, vm.HostExternalId); // counted once (Single above), on A where it runs

        // CPU: more than nothing, and no more than the cpu.time virsh saw pass around the whole reading allows.
        var mhz = (await NodeInfoAsync(_lab.AUri)).Mhz;
        Assert.True(vm.CpuUsedMhz > 0, $"CPU {vm.CpuUsedMhz} MHz");
        var cpuSecondsAround = (after["cpu.time"] - before["cpu.time"]) / 1e9;
        Assert.True(vm.CpuUsedMhz / mhz * 1.0 <= cpuSecondsAround * 1.2, $"{vm.CpuUsedMhz} MHz over ~1 s, but virsh saw only {cpuSecondsAround:0.000} CPU-seconds in {bracket.Elapsed.TotalSeconds:0.0} s around the reading.");

        // Memory: balloon.rss, QEMU's resident memory on the host, as virsh reads it (it moves a few MiB meanwhile).
        Assert.True(vm.MemoryUsedMb > 0);
        var rss = new[] { before["balloon.rss"], after["balloon.rss"] };
        Assert.InRange(vm.MemoryUsedMb, (long)rss.Min() / 1024 - 32, (long)rss.Max() / 1024 + 32);

        // Steal: libvirt 9 reports vcpu.<n>.delay; the reading gives it exactly when the host does.
        Assert.Equal(after.ContainsKey("vcpu.0.delay"), vm.CpuReadyPercent is not null);
        if (vm.CpuReadyPercent is { } steal) Assert.InRange(steal, 0, 100);

        // Rates are rates: never negative, and present (the guest has a disk, and no NIC, so its network reads 0).
        Assert.NotNull(vm.DiskReadBytesPerSecond);
        Assert.NotNull(vm.DiskWriteBytesPerSecond);
        Assert.InRange(vm.DiskReadBytesPerSecond!.Value, 0, double.MaxValue);
        Assert.InRange(vm.DiskWriteBytesPerSecond!.Value, 0, double.MaxValue);
        Assert.Equal(0, vm.NetworkReceiveBytesPerSecond);
        Assert.Equal(0, vm.NetworkTransmitBytesPerSecond);
    }

    [Fact]
    public async Task ReadUtilisationAsync_ReportsTheGuestsDiskReads_WhenTheIntervalSpansItsMarkerReread()
    {
        // The guest drops its caches and reads marker.txt from its disk every 10 counter ticks: an interval of 12 s spans one.
        var interval = TimeSpan.FromSeconds(12);
        var lab = Connector(interval);
        var before = await DomStatsAsync(_lab.AUri);
        var bracket = System.Diagnostics.Stopwatch.StartNew();

        var reading = await lab.Connector.ReadUtilisationAsync(lab.Connection, None);
        Show(reading);

        var after = await DomStatsAsync(_lab.AUri);
        bracket.Stop();
        var vm = Assert.Single(reading.Vms, v => string.Equals(v.VmExternalId, _lab.GuestUuid, StringComparison.OrdinalIgnoreCase));
        var readAround = after["block.0.rd.bytes"] - before["block.0.rd.bytes"];
        Assert.True(readAround > 0, "virsh saw no disk read either: the guest did not re-read its marker");
        Assert.True(vm.DiskReadBytesPerSecond > 0, $"read rate {vm.DiskReadBytesPerSecond} B/s while virsh saw {readAround} bytes read around the reading");
        // The bytes the rate stands for fit in what virsh saw around the reading.
        Assert.True(vm.DiskReadBytesPerSecond * interval.TotalSeconds <= readAround * 1.1, $"{vm.DiskReadBytesPerSecond} B/s × {interval.TotalSeconds} s > {readAround} bytes");
    }

    [Fact]
    public async Task ReadUtilisationAsync_ThrowsLibvirtExceptionNamingTheHost_WhenAHostIsUnreachable()
    {
        // Host A is fine; the second host's address has no daemon behind it.
        const string unreachable = "qemu+tls://127.0.0.9/system";
        var lab = Connector();
        var connection = lab.Connection with { Endpoint = $"{_lab.AUri}\n{unreachable}" };

        var error = await Assert.ThrowsAsync<LibvirtException>(() => lab.Connector.ReadUtilisationAsync(connection, None));

        Assert.Equal(unreachable, error.Host);
        Assert.StartsWith($"{unreachable}: ", error.Message);
        Assert.StartsWith("libvirt:", error.FaultType);
        Assert.Equal("virConnectOpen", error.Operation);
        // libvirt's own words about the refused connection, not the portal's.
        Assert.Contains("127.0.0.9", error.LibvirtMessage);
        Assert.NotEqual(LibvirtException.Ok, error.Code);
    }

    [Fact]
    public async Task ReadUtilisationAsync_ReadsBothHostsOverTls_AndRefusesAHostWhosePinIsWrong()
    {
        var lab = Connector();
        var tls = lab.Connection with { Endpoint = $"{_lab.ATlsUri}\n{_lab.BTlsUri}" };

        var reading = await lab.Connector.ReadUtilisationAsync(tls, None);
        Show(reading);

        Assert.Equal([_lab.ATlsUri, _lab.BTlsUri], reading.Hosts.Select(h => h.HostExternalId).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(_lab.ATlsUri, Assert.Single(reading.Vms, v => string.Equals(v.VmExternalId, _lab.GuestUuid, StringComparison.OrdinalIgnoreCase)).HostExternalId);

        var wrongPin = new string('A', 64);
        var pinned = lab.Connection with { Endpoint = $"{_lab.ATlsUri}\n{_lab.BTlsUri}#sha256={wrongPin}" };
        var error = await Assert.ThrowsAsync<LibvirtException>(() => lab.Connector.ReadUtilisationAsync(pinned, None));
        Assert.Equal(LibvirtException.TlsError, error.Code);
        Assert.Contains("127.0.0.3", error.Message);
        Assert.Contains(wrongPin, error.Message);
    }

    [Fact]
    public async Task ReadUtilisationAsync_ReportsTheGuestOnHostB_AfterItMigratedThere()
    {
        await _lab.VirshAsync(_lab.AUri, "migrate", "--live", "--p2p", "--tls", "--persistent", "--undefinesource", "--copy-storage-all", _lab.Guest, "qemu+tls://lab-b/system");
        var lab = Connector();

        var reading = await lab.Connector.ReadUtilisationAsync(lab.Connection, None);
        Show(reading);

        var vm = Assert.Single(reading.Vms, v => string.Equals(v.VmExternalId, _lab.GuestUuid, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(_lab.BUri, vm.HostExternalId);
        Assert.True(vm.CpuUsedMhz > 0, $"CPU {vm.CpuUsedMhz} MHz");
        Assert.True(vm.MemoryUsedMb > 0);
    }

    // --- what virsh reads from the same daemons ---------------------------------------------------------------------

    private sealed record Node(int Cpus, int Mhz, long MemoryKiB);

    private async Task<Node> NodeInfoAsync(string uri)
    {
        var text = await _lab.VirshAsync(uri, "nodeinfo");
        int Field(string name) => int.Parse(Regex.Match(text, $@"^{Regex.Escape(name)}:\s+(\d+)", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        var memory = long.Parse(Regex.Match(text, @"^Memory size:\s+(\d+) KiB", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        return new Node(Field("CPU(s)"), Field("CPU frequency"), memory);
    }

    private async Task<Dictionary<string, long>> NodeMemoryKiBAsync(string uri) =>
        KeyValue().Matches(await _lab.VirshAsync(uri, "nodememstats")).ToDictionary(m => m.Groups[1].Value.Trim(), m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    private async Task<Dictionary<string, ulong>> DomStatsAsync(string uri) =>
        DomStat().Matches(await _lab.VirshAsync(uri, "domstats", "--raw", _lab.Guest)).ToDictionary(m => m.Groups[1].Value, m => ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(\w+)\s*:\s+(\d+) KiB", RegexOptions.Multiline)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"^\s+([\w.]+)=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex DomStat();
}
