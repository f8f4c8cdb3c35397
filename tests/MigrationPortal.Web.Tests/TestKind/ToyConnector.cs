using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>A connector for a kind that exists only in this test project: it moves toys between pens of a <see cref="ToyWorld"/>.</summary>
public sealed class ToyConnector(TimeProvider time) : IHypervisorConnector
{
    public string Kind => ToyDescriptor.KindName;

    private static ToyWorld World(ConnectionInfo connection) => ToyWorld.For(connection.Endpoint);

    public Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct) =>
        Task.FromResult(new ConnectionTestResult(true, "The toy box is open.", null));

    public Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct)
    {
        var world = World(connection);
        var vms = world.Vms.Values.OrderBy(v => v.Id).ToList();
        return Task.FromResult(new InventorySnapshot(
            [new ClusterInfo("playroom", "playroom", "house")],
            world.Hosts.Select(h => new HostInfo(h, h, "playroom", "connected", PowerState.On, false, 4, 8192, 0)).ToList(),
            [new DatastoreInfo("shelf", "shelf", 100, 90, true, world.Hosts.ToList())],
            vms.Select(v => new VmInfo(v.Id, v.Name, PowerState.On, v.Host, v.Host, "playroom", null, [v.Datastore], 1, 512, 1, 1, v.Application, "required")).ToList()));
    }

    public Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PrecheckFinding>>(World(plan.Source).Vms.ContainsKey(plan.VmExternalId)
            ? [new(FindingSeverity.Advisory, "toy", "Toys move in their own time.")]
            : [new(FindingSeverity.Critical, "toy-missing", "The toy is not in the box.")]);

    public Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct)
    {
        var id = $"photocopy-{plan.RequestId:N}";
        World(plan.Source).Photocopies[id] = plan.VmExternalId;
        return Task.FromResult(id);
    }

    public Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct) =>
        Task.FromResult(SnapshotCleanup.Removed(World(plan.Source).Photocopies.TryRemove(snapshotId, out _) ? $"Photocopy {snapshotId} shredded." : $"Photocopy {snapshotId} was already gone."));

    public Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct) => Task.FromResult("Toys travel in a locked box.");

    public Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct)
    {
        var transfer = new ToyWorld.Transfer($"toy-move-{Guid.NewGuid():N}", plan.VmExternalId, plan.Target.HostId, time.GetUtcNow());
        World(plan.Source).Transfers[transfer.Id] = transfer;
        return Task.FromResult(transfer.Id);
    }

    public async Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct)
    {
        var world = World(plan.Source);
        await onProgress(new TransferProgress("carrying", 10, null, null, null));
        await world.GateOpened(ct);
        var transfer = world.Transfers[operationId];
        if (transfer.TargetHost is { } host) world.Move(transfer.VmId, host);
        await onProgress(new TransferProgress("carrying", 100, null, null, TimeSpan.Zero));
        return TransferOutcome.Success("The toy is in its new pen.");
    }

    public Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct) => Task.CompletedTask;

    public Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct) =>
        Task.FromResult(new OperationState(World(plan.Source).Transfers.ContainsKey(operationId) ? OperationStatus.Running : OperationStatus.Unknown, null));

    public Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct)
    {
        var found = World(plan.Source).Transfers.Values.FirstOrDefault(t => t.VmId == plan.VmExternalId && t.StartedAt >= startedAfter);
        return Task.FromResult(found is null ? OperationLookup.NotFound("No toy of this request moved.") : OperationLookup.Found(found.Id, "The toy is already moving."));
    }

    public Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct)
    {
        var vm = World(plan.Source).Vms[plan.VmExternalId];
        return Task.FromResult(new VmPlacement(vm.Host, vm.Host, [vm.Datastore], PowerState.On, "required"));
    }

    public Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct)
    {
        if (plan.SourceHostId is { } host) World(plan.Source).Move(plan.VmExternalId, host);
        return Task.FromResult("The toy went back to its pen.");
    }

    public Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct)
    {
        var vm = World(plan.Destination).Vms[plan.VmExternalId];
        var at = plan.Target.HostId is null || vm.Host == plan.Target.HostId;
        return Task.FromResult(new VerificationResult(at, at ? $"The toy is in pen {vm.Host}." : $"The toy is still in pen {vm.Host}.",
            new VmPlacement(vm.Host, vm.Host, [vm.Datastore], PowerState.On, "required")));
    }

    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) =>
        Task.FromResult(CleanupReport.Removed("Nothing left behind in the pens."));
}
