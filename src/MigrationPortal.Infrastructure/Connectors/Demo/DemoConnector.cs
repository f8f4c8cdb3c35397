using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// The labelled demo hypervisor: two simulated worlds kept in the portal's database (a vCenter-like one and a KVM one,
/// told apart by the connection's endpoint), whose migrations take a few seconds and report progress, and whose VMs
/// can be converted from the first to the second (DemoConnector.Conversion*.cs). It exists so a fresh install has
/// something to show; no connector test uses it.
/// </summary>
public sealed partial class DemoConnector(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<DemoOptions> options) : IHypervisorConnector
{
    private const long BytesPerGb = 1L << 30;
    private const string TransferIdPrefix = "demo-task-";

    public string Kind => ConnectionKinds.Demo;

    public Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct) =>
        Task.FromResult(new ConnectionTestResult(true, "Demo: the simulated inventory is always reachable; it has no certificate.", null));

    public async Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureSeededAsync(db, ct);
        var world = DemoWorlds.For(connection.Endpoint);
        var hostIds = world.Hosts.Select(h => h.Id).ToList();
        var vms = await db.DemoVms.AsNoTracking().Where(v => hostIds.Contains(v.HostId)).OrderBy(v => v.Id).ToListAsync(ct);
        var volumes = world == DemoWorlds.Kvm ? await DemoVolumes.ListAsync(db, ct) : [];
        var hosts = world.Hosts.ToDictionary(h => h.Id);
        return new InventorySnapshot(
            world.Clusters.Select(c => new ClusterInfo(c, c, world.Datacenter)).ToList(),
            world.Hosts.Select(h => new HostInfo(h.Id, h.Name, h.Cluster, "connected", PowerState.On, false, h.Cores, h.MemoryMb,
                vms.Where(v => v.HostId == h.Id && ToPortal(v.PowerState) == PowerState.On).Sum(v => v.MemoryMb))).ToList(),
            world.Datastores.Select(d => new DatastoreInfo(d.Name, d.Name, d.CapacityGb, FreeBytes(d, vms, volumes) / BytesPerGb, true,
                world.HostsMounting(d).Select(h => h.Name).ToList())).ToList(),
            vms.Select(v => new VmInfo(v.Id, v.Name, ToPortal(v.PowerState), v.HostId, hosts[v.HostId].Name, hosts[v.HostId].Cluster, "Resources", [v.Datastore],
                v.Cpus, v.MemoryMb, v.DiskGb, v.DiskGb / 2, v.Application, world == DemoWorlds.Kvm ? null : v.MigrateEncryption,
                world == DemoWorlds.Kvm ? null : [DemoWorldShape.NetworkOf(v)])).ToList(),
            world.Networks.Select(n => new NetworkInfo(n, n, world.Hosts.Select(h => h.Name).ToList())).ToList());
    }

    /// <summary>A datastore's or pool's free bytes: its capacity less its VMs' disks and (in the KVM world) the data of the volumes uploaded into it.</summary>
    private static long FreeBytes(DemoWorldShape.Datastore store, IEnumerable<DemoVm> vms, IEnumerable<DemoVolume> volumes) =>
        store.CapacityGb * BytesPerGb - vms.Where(v => v.Datastore == store.Name).Sum(v => v.DiskGb) * BytesPerGb
        - volumes.Where(v => v.Pool == store.Name).Sum(v => v.AllocatedBytes);

    public async Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        var findings = new List<PrecheckFinding>();
        var world = DemoWorlds.For(plan.Source.Endpoint);
        var targetHost = world.Host(plan.Target.HostId);
        if (plan.Target.HostId is not null && targetHost is null)
            findings.Add(new(FindingSeverity.Critical, "host-missing", $"Demo host '{plan.Target.HostId}' does not exist."));
        if (plan.Live && ToPortal(vm.PowerState) != PowerState.On)
            findings.Add(new(FindingSeverity.Critical, "vm-powered-off", $"A live move needs the VM powered on; '{vm.Name}' is {vm.PowerState}."));
        var sourceCluster = DemoWorlds.OfHost(vm.HostId).Host(vm.HostId)?.Cluster;
        var targetStore = plan.Target.DatastoreName ?? vm.Datastore;
        var store = world.Datastore(targetStore);
        if (store is null) findings.Add(new(FindingSeverity.Critical, "datastore-missing", $"Demo datastore '{targetStore}' does not exist."));
        else if (targetHost is not null && store.Cluster != targetHost.Cluster)
            findings.Add(new(FindingSeverity.Critical, "datastore-not-mounted", $"Host {targetHost.Name} does not mount datastore {store.Name}."));
        if (targetHost is not null && targetHost.Cluster != sourceCluster && plan.Target.DatastoreName is null)
            findings.Add(new(FindingSeverity.Critical, "cross-cluster", "A compute-only move must stay in the VM's cluster."));
        if (vm.SnapshotId is not null)
            findings.Add(new(FindingSeverity.Warning, "has-snapshot", "The VM already has a snapshot."));
        findings.Add(new(FindingSeverity.Advisory, "demo", "Demo connector: nothing real moves."));
        return findings;
    }

    public async Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        vm.SnapshotId = $"demo-snap-{plan.RequestId:N}";
        await db.SaveChangesAsync(ct);
        return vm.SnapshotId;
    }

    public async Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        var existed = vm.SnapshotId == snapshotId;
        if (existed) vm.SnapshotId = null;
        await db.SaveChangesAsync(ct);
        return SnapshotCleanup.Removed(existed ? $"Demo: snapshot {snapshotId} removed." : $"Demo: snapshot {snapshotId} no longer exists; nothing left to remove.");
    }

    public async Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        var before = vm.MigrateEncryption;
        vm.MigrateEncryption = "required";
        await db.SaveChangesAsync(ct);
        return $"Demo: migration encryption set to required (was {before}); simulated, no data moves.";
    }

    public async Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        var task = new DemoTask
        {
            Id = $"{TransferIdPrefix}{Guid.NewGuid():N}",
            VmId = vm.Id,
            TargetHostId = plan.Target.HostId,
            TargetDatastore = plan.Target.DatastoreName,
            StartedAt = time.GetUtcNow(),
            DurationMs = (long)options.Value.MigrationDuration.TotalMilliseconds,
        };
        db.DemoTasks.Add(task);
        await db.SaveChangesAsync(ct);
        return task.Id;
    }

    public async Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct)
    {
        while (true)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                var task = await AdvanceAsync(db, operationId, ct);
                var vm = await db.DemoVms.AsNoTracking().FirstAsync(v => v.Id == task.VmId, ct);
                var total = (plan.Kind.MovesStorage() ? vm.DiskGb * BytesPerGb : 0) + vm.MemoryMb * 1024 * 1024;
                var fraction = Fraction(task);
                var remaining = TimeSpan.FromMilliseconds(task.DurationMs * (1 - fraction));
                await onProgress(new TransferProgress(fraction < 0.9 ? "transferring" : "switching over", fraction * 100, (long)(total * fraction), total, remaining));
                switch (task.State)
                {
                    case DemoTaskStates.Succeeded:
                        return TransferOutcome.Success("Demo: simulated transfer complete.", TimeSpan.FromMilliseconds(150));
                    case DemoTaskStates.Cancelled:
                        return new TransferOutcome(TransferResult.Cancelled, task.Message ?? "Demo: transfer cancelled.");
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
        }
    }

    public async Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var task = await AdvanceAsync(db, operationId, ct);
        if (task.State != DemoTaskStates.Running) return;
        task.State = DemoTaskStates.Cancelled;
        task.Message = "Demo: the transfer was cancelled; the VM stays on its source.";
        await db.SaveChangesAsync(ct);
    }

    public async Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var exists = await db.DemoTasks.AnyAsync(t => t.Id == operationId, ct);
        if (!exists) return new OperationState(OperationStatus.Unknown, "Demo: no such task.");
        var task = await AdvanceAsync(db, operationId, ct);
        return task.State switch
        {
            DemoTaskStates.Running => new OperationState(OperationStatus.Running, $"{Fraction(task) * 100:0}% done"),
            DemoTaskStates.Succeeded => new OperationState(OperationStatus.Succeeded, null),
            _ => new OperationState(OperationStatus.Cancelled, task.Message),
        };
    }

    public async Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct)
    {
        // The demo's task table is its whole record of transfers, so "none" is a sure answer here.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        // Only transfers: the same table also records the conversion's exports, volumes and notes (other ID prefixes).
        var tasks = await db.DemoTasks.AsNoTracking().Where(t => t.VmId == vm.Id && t.Id.StartsWith(TransferIdPrefix)).ToListAsync(ct);
        var started = tasks.Where(t => t.StartedAt >= startedAfter).OrderBy(t => t.StartedAt).ToList();
        return started.Count switch
        {
            0 => OperationLookup.NotFound($"Demo: no transfer of {plan.VmName} started since {startedAfter:u}."),
            1 => OperationLookup.Found(started[0].Id, $"Demo: transfer {started[0].Id} of {plan.VmName} started at {started[0].StartedAt:u}."),
            _ => OperationLookup.Unknown($"Demo: {started.Count} transfers of {plan.VmName} started since {startedAfter:u}; which one is this request's is not certain."),
        };
    }

    public Task<CleanupReport> RemoveLeftoversAsync(MigrationPlan plan, MoveEnding ending, CancellationToken ct) =>
        // The simulated move keeps one copy of each disk, so nothing can be left behind.
        Task.FromResult(CleanupReport.Removed("Demo: a simulated move leaves no disk files behind."));

    public async Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct)
    {
        var placement = await LocateAsync(plan, ct);
        var hostOk = !plan.Kind.MovesCompute() || placement.HostId == plan.Target.HostId;
        var storeOk = !plan.Kind.MovesStorage() || placement.Datastores.Contains(plan.Target.DatastoreName);
        return new VerificationResult(hostOk && storeOk && placement.PowerState != PowerState.Unknown,
            $"Demo: VM is on {placement.HostName}, datastore {string.Join(", ", placement.Datastores)}, power {placement.PowerState}.", placement);
    }

    public async Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        var host = DemoWorlds.OfHost(vm.HostId).Hosts.First(h => h.Id == vm.HostId);
        return new VmPlacement(host.Id, host.Name, [vm.Datastore], ToPortal(vm.PowerState), vm.MigrateEncryption);
    }

    public async Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var vm = await FindVmAsync(db, plan, ct);
        if (plan.SourceHostId is not null) vm.HostId = plan.SourceHostId;
        if (plan.SourceDatastoreName is not null) vm.Datastore = plan.SourceDatastoreName.Split(',')[0];
        await db.SaveChangesAsync(ct);
        return $"Demo: moved back to {vm.HostId} / {vm.Datastore}.";
    }

    /// <summary>Seeds the demo world once; later calls find it already there.</summary>
    public static async Task EnsureSeededAsync(PortalDbContext db, CancellationToken ct)
    {
        if (await db.DemoVms.AnyAsync(ct)) return;
        db.DemoVms.AddRange(DemoWorldShape.InitialVms());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another node seeded it at the same moment
        }
    }

    private double Fraction(DemoTask task) => task.State == DemoTaskStates.Succeeded ? 1
        : Math.Clamp((time.GetUtcNow() - task.StartedAt).TotalMilliseconds / Math.Max(1, task.DurationMs), 0, 1);

    /// <summary>Completes a task whose time is up, applying the new placement; idempotent, so any node may do it.</summary>
    private async Task<DemoTask> AdvanceAsync(PortalDbContext db, string operationId, CancellationToken ct)
    {
        var task = await db.DemoTasks.FirstOrDefaultAsync(t => t.Id == operationId, ct)
            ?? throw new ConnectorException("NotFound", $"Demo task '{operationId}' does not exist.");
        if (task.State == DemoTaskStates.Running && Fraction(task) >= 1)
        {
            var vm = await db.DemoVms.FirstAsync(v => v.Id == task.VmId, ct);
            if (task.TargetHostId is not null) vm.HostId = task.TargetHostId;
            if (task.TargetDatastore is not null) vm.Datastore = task.TargetDatastore;
            task.State = DemoTaskStates.Succeeded;
            await db.SaveChangesAsync(ct);
        }

        return task;
    }

    private static async Task<DemoVm> FindVmAsync(PortalDbContext db, MigrationPlan plan, CancellationToken ct) =>
        await db.DemoVms.FirstOrDefaultAsync(v => v.Id == plan.VmExternalId, ct)
        ?? throw new ConnectorException("ManagedObjectNotFound", $"Demo VM '{plan.VmExternalId}' does not exist.");

    /// <summary>The demo world speaks vSphere's words (it imitates a vCenter); this is where they become the portal's power state.</summary>
    public static PowerState ToPortal(string demoPowerState) => demoPowerState switch
    {
        "poweredOn" => PowerState.On,
        "poweredOff" => PowerState.Off,
        "suspended" => PowerState.Suspended,
        _ => PowerState.Unknown,
    };
}
