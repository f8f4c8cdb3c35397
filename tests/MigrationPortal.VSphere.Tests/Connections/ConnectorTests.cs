using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Connections;

/// <summary>The connector and its SOAP client on their own, against a simulator: progress, faults, paging, prechecks.</summary>
public sealed class ConnectorTests
{
    private const string Vm = "DC0_C0_RP0_VM0";

    private static ConnectionInfo Info(VcsimLab lab) =>
        new(Guid.NewGuid(), "vcsim", "vsphere", lab.SdkUrl.ToString(), VcsimLab.User, VcsimLab.Password, lab.Thumbprint, false);

    private static VSphereConnector Connector(VSphereOptions? options = null) =>
        new(Options.Create(options ?? new VSphereOptions()), TimeProvider.System, NullLogger<VSphereConnector>.Instance);

    private static async Task<MigrationPlan> PlanAsync(VcsimLab lab, ConnectionInfo info, MigrationKind kind, string? host, string? datastore)
    {
        var vm = await lab.VmAsync(Vm);
        string? hostId = host is null ? null : (await lab.HostStateAsync(host))["id"]!.GetValue<string>();
        string? datastoreId = null;
        if (datastore is not null)
        {
            await using var connector = Connector();
            datastoreId = (await connector.CollectInventoryAsync(info, default)).Datastores.Single(d => d.Name == datastore).ExternalId;
        }

        return new MigrationPlan(Guid.NewGuid(), info, info, vm["id"]!.GetValue<string>(), Vm, kind, true, vm["host"]!["id"]!.GetValue<string>(), "LocalDS_0",
            new MigrationTarget(info.Id, hostId, host, datastoreId, datastore, null), new MigrationOptions(), null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WatchTransfer_ReportsRisingProgressInOrder_ThenSucceeds(bool waitForUpdates)
    {
        await using var lab = await VcsimLab.StartAsync(taskDuration: TimeSpan.FromSeconds(2));
        var info = Info(lab);
        await using var connector = Connector(new VSphereOptions { UseWaitForUpdates = waitForUpdates, TaskPollInterval = TimeSpan.FromMilliseconds(100) });
        var current = await lab.HostOfVmAsync(Vm);
        var plan = await PlanAsync(lab, info, MigrationKind.Compute, current == "DC0_C0_H1" ? "DC0_C0_H2" : "DC0_C0_H1", null);
        var seen = new List<TransferProgress>();

        var operation = await connector.StartTransferAsync(plan, default);
        var outcome = await connector.WatchTransferAsync(plan, operation, p => { seen.Add(p); return Task.CompletedTask; }, default);

        Assert.Equal(TransferResult.Succeeded, outcome.Result);
        Assert.True(seen.Count >= 5, $"expected several progress reports, got {seen.Count}");
        Assert.Equal(seen.Select(p => p.Percent).Order(), seen.Select(p => p.Percent));
        Assert.Contains(seen, p => p.Percent is > 0 and < 100);
        Assert.Equal(100, seen[^1].Percent);
        Assert.All(seen, p => Assert.Equal("vMotion", p.Phase));
        Assert.Equal(plan.Target.HostName, await lab.HostOfVmAsync(Vm));
        Assert.Equal(OperationStatus.Succeeded, (await connector.GetOperationStateAsync(plan, operation, default)).Status);
        Assert.True((await connector.VerifyAsync(plan, default)).IsAtTarget);
    }

    [Fact]
    public async Task Client_PagesThroughContinueRetrievePropertiesEx_WhenVCenterReturnsToken()
    {
        await using var lab = await VcsimLab.StartAsync(vmsPerCluster: 7);
        await using var client = await VimClient.ConnectAsync(Info(lab), new VSphereOptions(), NullLogger.Instance, default);
        await lab.ResetCallsAsync();

        var objects = await VSphereInventoryReader.RetrieveAllAsync(client, pageSize: 3, default);

        Assert.Equal(14, objects.Count(o => o.Ref.Type == "VirtualMachine"));
        Assert.True(await lab.CallsAsync("ContinueRetrievePropertiesEx") >= 5);
        Assert.Equal(objects.Count, objects.Select(o => o.Ref).Distinct().Count());
    }

    [Fact]
    public async Task Faults_AreTyped_WithVCentersMessage()
    {
        await using var lab = await VcsimLab.StartAsync();
        var info = Info(lab);
        await using var client = await VimClient.ConnectAsync(info, new VSphereOptions(), NullLogger.Instance, default);
        var vm = new MoRef("VirtualMachine", (await lab.VmAsync(Vm))["id"]!.GetValue<string>());

        var missing = await Assert.ThrowsAsync<VimFaultException>(() => client.StartTaskAsync("RelocateVM_Task", vm, default,
            Vim.E("spec", new MoRef("HostSystem", "host-999999").ToXml("host"))));
        Assert.Equal("ManagedObjectNotFound", missing.FaultType);

        await lab.InjectFaultAsync("RetrievePropertiesEx", "InsufficientResourcesFault", "Insufficient resources to satisfy the request.");
        var injected = await Assert.ThrowsAsync<VimFaultException>(() => client.RetrieveObjectAsync(vm, ["name"], default));
        Assert.Equal(("InsufficientResourcesFault", "Insufficient resources to satisfy the request."), (injected.FaultType, injected.Message));

        var invalid = await Assert.ThrowsAsync<VimFaultException>(() => client.RunTaskAsync("ReconfigVM_Task", vm, default, Vim.E("spec", Vim.E("migrateEncryption", "sometimes"))));
        Assert.Equal("InvalidArgument", invalid.FaultType);
    }

    [Fact]
    public async Task Precheck_ReportsEveryBlockingCondition_AndSnapshotsAsWarning()
    {
        await using var lab = await VcsimLab.StartAsync();
        var info = Info(lab);
        await using var connector = Connector(new VSphereOptions { FreeSpaceMarginGb = 100_000_000 });
        var current = await lab.HostOfVmAsync(Vm);
        var target = current == "DC0_C0_H1" ? "DC0_C0_H2" : "DC0_C0_H1";
        await lab.SetHostStateAsync(target, maintenance: true, connection: "disconnected", power: "poweredOff");
        var plan = await PlanAsync(lab, info, MigrationKind.ComputeAndStorage, target, "LocalDS_1");
        await connector.CreateSnapshotAsync(plan, default);

        var findings = await connector.PrecheckAsync(plan, default);

        var critical = findings.Where(f => f.Severity == FindingSeverity.Critical).Select(f => f.Code).Order().ToList();
        Assert.Equal(["datastore-full", "host-disconnected", "host-maintenance", "host-powered-off"], critical);
        Assert.Contains(findings, f => f.Severity == FindingSeverity.Warning && f.Code == "has-snapshots");

        var crossCluster = await PlanAsync(lab, info, MigrationKind.Compute, "DC0_C1_H0", null);
        await using var fresh = Connector();
        var crossFindings = await fresh.PrecheckAsync(crossCluster, default);
        Assert.DoesNotContain(crossFindings, f => f.Severity == FindingSeverity.Critical); // the datacenter's datastores are shared by every host
    }
}
