using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.VSphere.Tests.Lab;

namespace MigrationPortal.VSphere.Tests.Execution;

/// <summary>
/// Whole requests through the portal's use cases (submit, dispatch, the migration job) with the simulator as vCenter.
/// The simulator, not the portal, is asked where the VM ended up.
/// </summary>
public sealed class MigrationTests
{
    private const string Vm = "DC0_C0_RP0_VM0";

    /// <summary>Another host of the VM's cluster, as the simulator sees it.</summary>
    private static async Task<string> OtherHostInClusterAsync(VcsimLab lab, string vm)
    {
        var current = await lab.HostOfVmAsync(vm);
        return Enumerable.Range(0, 3).Select(i => $"{current[..6]}_H{i}").First(h => h != current);
    }

    [Fact]
    public async Task VMotion_EndsSucceeded_WithVmOnTargetHost_AndEncryptionRequiredBeforeRelocate()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(2));
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);

        var run = portal.RunAsync(request.Id);
        // While the relocate task runs: the VM must already require encrypted vMotion and carry the pre-migration snapshot.
        await portal.WaitForOperationIdAsync(request.Id, run);
        var during = await lab.VmAsync(Vm);
        Assert.Equal("required", during["migrateEncryption"]!.GetValue<string>());
        Assert.Equal(1, during["snapshots"]!.GetValue<int>());
        Assert.Equal(1, await lab.CallsAsync("RelocateVM_Task"));
        await run;

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        Assert.Contains("was opportunistic", details.EncryptionApplied);
        Assert.Contains("Encrypted vMotion", details.EncryptionApplied);
        var after = await lab.VmAsync(Vm);
        Assert.Equal(0, after["snapshots"]!.GetValue<int>());
        Assert.Equal(1, await lab.CallsAsync("CreateSnapshot_Task"));
        Assert.Equal(1, await lab.CallsAsync("RemoveSnapshot_Task"));
        Assert.All(details.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Contains("removed (RemoveSnapshot_Task", details.Steps.Single(s => s.Name == "clean-up").Message);
        Assert.Equal(100, details.Progress!.Percent);
        // The earlier migrateEncryption value is in the audit trail.
        Assert.True(await portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == request.Id && e.Details.Contains("was opportunistic"))));
    }

    [Fact]
    public async Task VMotion_KeepsSnapshot_AndStepAndAuditSayKept_WhenRetentionKeepsSnapshots()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(500),
            new Dictionary<string, string?> { ["VSphere:RemoveSnapshotAfterSuccess"] = "false" });
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);

        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        // vCenter still has the snapshot, and nothing asked it to remove one.
        Assert.Equal(1, (await lab.VmAsync(Vm))["snapshots"]!.GetValue<int>());
        Assert.Equal(1, await lab.CallsAsync("CreateSnapshot_Task"));
        Assert.Equal(0, await lab.CallsAsync("RemoveSnapshot_Task"));
        var snapshotId = (await portal.RequestAsync(request.Id)).SnapshotId;
        Assert.NotNull(snapshotId);

        // The request and its audit trail say it was kept, and never that it was removed.
        var cleanup = details.Steps.Single(s => s.Name == "clean-up");
        Assert.Equal(StepStatus.Skipped, cleanup.Status);
        Assert.Contains($"Snapshot {snapshotId} of {Vm} kept per retention policy", cleanup.Message);
        Assert.True(await portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == request.Id && e.Details.Contains("kept per retention policy"))));
        Assert.False(await portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == request.Id && e.Details.Contains($"{snapshotId} removed"))));
        Assert.DoesNotContain("removed", cleanup.Message);
    }

    [Fact]
    public async Task StorageVMotion_EndsSucceeded_WithDisksOnTargetDatastore_AndHonestEncryptionNote()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(500));
        var (lab, portal) = (session.Lab, session.Portal);
        var host = await lab.HostOfVmAsync(Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Storage, null, "LocalDS_1");

        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        var vm = await lab.VmAsync(Vm);
        Assert.Equal(["LocalDS_1"], await lab.DatastoresOfVmAsync(Vm));
        Assert.All(vm["disks"]!.AsArray(), d => Assert.StartsWith("[LocalDS_1]", d!["fileName"]!.GetValue<string>()));
        Assert.StartsWith("[LocalDS_1]", vm["vmPathName"]!.GetValue<string>());
        Assert.Equal(host, await lab.HostOfVmAsync(Vm));
        Assert.StartsWith("Not encrypted on the wire", details.EncryptionApplied);
    }

    [Fact]
    public async Task ComputeAndStorageMove_EndsSucceeded_WithVmOnTargetHostAndDatastore()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(500));
        var (lab, portal) = (session.Lab, session.Portal);
        // Across clusters: the connector must pass the target cluster's root pool, which vCenter requires.
        var request = await portal.SubmitAsync(Vm, MigrationKind.ComputeAndStorage, "DC0_C1_H2", "LocalDS_1");

        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        var vm = await lab.VmAsync(Vm);
        Assert.Equal("DC0_C1_H2", vm["host"]!["name"]!.GetValue<string>());
        Assert.Equal(["LocalDS_1"], await lab.DatastoresOfVmAsync(Vm));
        Assert.Contains("memory and disk data", details.EncryptionApplied);
    }

    [Fact]
    public async Task Cancel_MidTask_EndsCancelled_AndVmStaysAtSource()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(8));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null, snapshot: false);
        await lab.ConfigureAsync(new() { ["methodDurations"] = new System.Text.Json.Nodes.JsonObject { ["ReconfigVM_Task"] = "100ms" } });

        var run = portal.RunAsync(request.Id);
        await portal.WaitForOperationIdAsync(request.Id, run);
        await portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(VSpherePortal.Operator, new CancelRequest.Command(request.Id, "Wrong target")));
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(RequestState.Cancelled, details.Summary.State);
        Assert.Equal(source, await lab.HostOfVmAsync(Vm));
        Assert.Equal(1, await lab.CallsAsync("CancelTask"));
        Assert.Contains("RequestCanceled", details.Transitions[^1].Reason);
    }

    [Fact]
    public async Task Cancel_RefusedByVCenterEveryTime_IsAskedThreeTimes_AndTheRequestSaysSo()
    {
        // vCenter refuses CancelTask (a SOAP fault) until the fault is removed; the vMotion runs on to its end.
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(8));
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null, snapshot: false);
        await lab.ConfigureAsync(new() { ["methodDurations"] = new System.Text.Json.Nodes.JsonObject { ["ReconfigVM_Task"] = "100ms" } });
        await lab.InjectFaultAsync("CancelTask", "InvalidState", "The operation is not allowed in the current state.", count: -1);

        var run = portal.RunAsync(request.Id);
        await portal.WaitForOperationIdAsync(request.Id, run);
        await portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(VSpherePortal.Operator, new CancelRequest.Command(request.Id, "Wrong target")));
        await run.WaitAsync(TimeSpan.FromSeconds(40));

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(3, await lab.CallsAsync("CancelTask"));
        Assert.Equal(RequestState.Succeeded, details.Summary.State);
        Assert.Contains("cancel refused by", details.Transitions[^1].Reason);
        Assert.Contains("The operation is not allowed in the current state.", details.Transitions[^1].Reason);
        Assert.Contains("InvalidState", details.CancelRefusal);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
    }

    [Fact]
    public async Task HostEntersMaintenanceAfterApproval_PrecheckBlocks_AndNoRelocateIsCalled()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);
        Assert.Equal(RequestState.Approved, request.State);

        await lab.SetHostStateAsync(target, maintenance: true);
        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(RequestState.Failed, details.Summary.State);
        Assert.Contains($"Target host {target} is in maintenance mode", details.Summary.FailureReason);
        Assert.Equal(0, await lab.CallsAsync("RelocateVM_Task"));
        Assert.Equal(0, await lab.CallsAsync("CreateSnapshot_Task"));
        Assert.Equal(source, await lab.HostOfVmAsync(Vm));
    }

    [Fact]
    public async Task InjectedMigrationFault_EndsFailed_WithVCenterMessage_AndVmStaysAtSource()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(1));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = await OtherHostInClusterAsync(lab, Vm);
        await lab.InjectFaultAsync("RelocateVM_Task", "MigrationFault", "The vMotion failed because the destination host did not receive data from the source host.", afterPercent: 40);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);

        await portal.RunAsync(request.Id);

        var details = await portal.GetAsync(request.Id);
        Assert.Equal(RequestState.Failed, details.Summary.State);
        Assert.Contains("MigrationFault: The vMotion failed because the destination host did not receive data from the source host.", details.Summary.FailureReason);
        Assert.Equal(source, await lab.HostOfVmAsync(Vm));
    }

    [Fact]
    public async Task SessionExpiresMidRun_ConnectorSignsInOnceMore_AndRequestSucceeds()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(3));
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null, snapshot: false);
        await lab.ResetCallsAsync();

        var run = portal.RunAsync(request.Id);
        await portal.WaitForOperationIdAsync(request.Id, run);
        Assert.True(await lab.ExpireSessionsAsync() >= 1);
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var details = await portal.GetAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        Assert.Equal(2, await lab.CallsAsync("Login"));
        Assert.Equal(1, await lab.CallsAsync("RelocateVM_Task"));
    }

    [Fact]
    public async Task PortalKilledDuringRelocate_RestartReconcilesToSucceeded_WithoutSecondRelocate()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromSeconds(3));
        var (lab, portal) = (session.Lab, session.Portal);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null, snapshot: false);

        using var processDeath = new CancellationTokenSource();
        var run = portal.RunAsync(request.Id, processDeath.Token);
        await portal.WaitForOperationIdAsync(request.Id, run);
        await processDeath.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(RequestState.Running, (await portal.RequestAsync(request.Id)).State);

        // "Restart": a new portal on the same database after the stale-heartbeat limit; the task has finished meanwhile.
        var time = portal.Time;
        portal.OwnsDatabase = false; // the restarted portal takes the database over
        await portal.DisposeAsync();
        await Eventually.TrueAsync(async () => await lab.HostOfVmAsync(Vm) == target, TimeSpan.FromSeconds(20), $"the simulator to place {Vm} on {target}");
        time.Advance(ReconcileStaleMigrations.StaleAfter + TimeSpan.FromSeconds(5));
        session.Portal = portal = await VSpherePortal.StartAsync(portal.DatabaseFile, time);
        portal.OwnsDatabase = true;
        var stale = await portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync());
        Assert.Equal([request.Id], stale);
        await portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        var details = await portal.GetAsync(request.Id);
        Assert.True(details.Summary.State == RequestState.Succeeded, details.Summary.FailureReason);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        Assert.Equal(1, await lab.CallsAsync("RelocateVM_Task"));
        Assert.True(await portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == request.Id && e.Details.Contains("reconcile"))));
    }

    [Fact]
    public async Task Rollback_MovesVmBackToSourceHost_EvenAfterInventorySyncedTheNewPlacement()
    {
        await using var session = await LabSession.StartAsync(TimeSpan.FromMilliseconds(300));
        var (lab, portal) = (session.Lab, session.Portal);
        var source = await lab.HostOfVmAsync(Vm);
        var target = await OtherHostInClusterAsync(lab, Vm);
        var request = await portal.SubmitAsync(Vm, MigrationKind.Compute, target, null);
        await portal.RunAsync(request.Id);
        Assert.Equal(target, await lab.HostOfVmAsync(Vm));
        await portal.SyncAsync(session.ConnectionId); // the inventory now shows the VM on its target host

        await portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(VSpherePortal.Operator, new RollBackRequest.Command(request.Id, "App misbehaves")));
        await portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));

        Assert.Equal(source, await lab.HostOfVmAsync(Vm));
        Assert.Equal(RequestState.RolledBack, (await portal.GetAsync(request.Id)).Summary.State);
    }
}
