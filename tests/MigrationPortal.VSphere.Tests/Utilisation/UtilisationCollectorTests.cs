using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Utilisation;

/// <summary>The vSphere utilisation role against the simulator (issue 15 §1): quickStats as vcsim fills them, and faults naming the vCenter.</summary>
public sealed class UtilisationCollectorTests
{
    private static ConnectionInfo Info(VcsimLab lab, string? endpoint = null, string? password = null) =>
        new(Guid.NewGuid(), "vcsim", "vsphere", endpoint ?? lab.SdkUrl.ToString(), VcsimLab.User, password ?? VcsimLab.Password, lab.Thumbprint, false);

    private static VSphereConnector Connector() => new(Options.Create(new VSphereOptions()), TimeProvider.System, NullLogger<VSphereConnector>.Instance);

    [Fact]
    public async Task ReadUtilisation_ReturnsEachHostsAndPoweredOnVmsQuickStats_AsTheSimulatorReportsThem()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, hostsPerCluster: 2, vmsPerCluster: 3);
        var info = Info(lab);
        await using var connector = Connector();

        var reading = await connector.ReadUtilisationAsync(info, default);

        // The expected figures are read object by object (RetrieveProperties per host and VM), not through the connector's view.
        var inventory = await connector.CollectInventoryAsync(info, default);
        await using var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default);
        var connectedHosts = inventory.Hosts.Where(h => h.ConnectionState == "connected").ToList();
        Assert.NotEmpty(connectedHosts);
        Assert.Equal(connectedHosts.Select(h => h.ExternalId).Order(), reading.Hosts.Select(h => h.HostExternalId).Order());
        foreach (var host in reading.Hosts)
        {
            var raw = await client.RetrieveObjectAsync(new MoRef("HostSystem", host.HostExternalId),
                ["summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage", "summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize"], default);
            Assert.Equal((double)raw.Long("summary.quickStats.overallCpuUsage"), host.CpuUsedMhz);
            Assert.Equal((double)raw.Long("summary.hardware.cpuMhz") * raw.Int("summary.hardware.numCpuCores"), host.CpuCapacityMhz);
            Assert.Equal(raw.Long("summary.quickStats.overallMemoryUsage"), host.MemoryUsedMb);
            Assert.Equal(raw.Long("summary.hardware.memorySize") / (1024 * 1024), host.MemoryCapacityMb);
            // vcsim fills a host's quickStats and hardware: a reading of zeros would mean the paths were not read.
            Assert.True(host.CpuCapacityMhz > 0 && host.MemoryCapacityMb > 0 && host.MemoryUsedMb > 0, $"host {host.HostExternalId} read as {host}");
        }

        var poweredOn = inventory.Vms.Where(v => v.PowerState == Domain.Inventory.PowerState.On).ToList();
        Assert.NotEmpty(poweredOn);
        Assert.Equal(poweredOn.Select(v => v.ExternalId).Order(), reading.Vms.Select(v => v.VmExternalId).Order());
        foreach (var vm in reading.Vms)
        {
            var raw = await client.RetrieveObjectAsync(new MoRef("VirtualMachine", vm.VmExternalId), ["summary.quickStats.overallCpuUsage", "summary.quickStats.hostMemoryUsage"], default);
            Assert.Equal((double)raw.Long("summary.quickStats.overallCpuUsage"), vm.CpuUsedMhz);
            Assert.Equal(raw.Long("summary.quickStats.hostMemoryUsage"), vm.MemoryUsedMb);
            Assert.Equal(poweredOn.Single(v => v.ExternalId == vm.VmExternalId).HostExternalId, vm.HostExternalId);
            Assert.Null(vm.CpuReadyPercent);
        }
    }

    [Fact]
    public async Task ReadUtilisation_ThrowsInvalidLoginNamingTheVCenter_WhenThePasswordIsWrong()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, hostsPerCluster: 1, vmsPerCluster: 1);
        await using var connector = Connector();

        var e = await Assert.ThrowsAsync<ConnectorException>(() => connector.ReadUtilisationAsync(Info(lab, password: "wrong"), default));

        Assert.Equal("InvalidLogin", e.FaultType);
        Assert.Contains(lab.SdkUrl.Authority, e.Message);
    }

    [Fact]
    public async Task ReadUtilisation_ThrowsHostUnreachableNamingTheHost_WhenNothingListens()
    {
        await using var lab = await VcsimLab.StartAsync(clusters: 1, hostsPerCluster: 1, vmsPerCluster: 1);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connector = Connector();

        var e = await Assert.ThrowsAsync<ConnectorException>(() => connector.ReadUtilisationAsync(Info(lab, endpoint: $"https://127.0.0.1:{port}/sdk"), default));

        Assert.Equal("HostUnreachable", e.FaultType);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }
}
