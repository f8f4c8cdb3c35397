using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Inventory;

/// <summary>
/// Inventory sync on a real database with the demo world as the hypervisor: the world is changed underneath the portal
/// (VMs added, changed, deleted) and the sync's batched write must mirror it exactly. Runs once per provider.
/// </summary>
public abstract class SyncInventoryTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<Guid> DemoConnectionIdAsync() => Portal.Db(db => db.Connections.Where(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync());

    private async Task<SyncInventory.Result> SyncAsync() =>
        await Portal.Scoped<SyncInventory, SyncInventory.Result>(async u => await u.HandleAsync(PortalHarness.Operator, await DemoConnectionIdAsync()));

    [Fact]
    public async Task Sync_InsertsNewVmsWithEveryValue_UpdatesChangedOnes_AndRemovesVanishedOnes_KeepingRequestHistory()
    {
        var doomed = await Portal.Db(db => db.Vms.AsNoTracking().Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).FirstAsync());
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == doomed.ClusterName && h.ExternalId != doomed.HostExternalId).Select(h => h.ExternalId).FirstAsync());
        var request = await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(doomed.Id, MigrationKind.Compute, true, target, null, "history must survive the VM", TakeSnapshot: false)));
        var changed = await Portal.Db(db => db.Vms.AsNoTracking().Where(v => v.Id != doomed.Id).OrderBy(v => v.Name).FirstAsync());
        var vmsBefore = await Portal.Db(db => db.Vms.CountAsync());

        // The hypervisor's world changes: two VMs appear (one of a new application), one is reconfigured, one is deleted.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            db.DemoVms.Remove(await db.DemoVms.FirstAsync(v => v.Id == doomed.ExternalId));
            var reconfigured = await db.DemoVms.FirstAsync(v => v.Id == changed.ExternalId);
            reconfigured.Cpus = 7;
            reconfigured.MemoryMb = 12_345;
            var host = reconfigured.HostId;
            db.DemoVms.Add(new DemoVm { Id = "demo-vm-new-1", Name = "new-ledger-01", HostId = host, Datastore = reconfigured.Datastore, PowerState = "poweredOff", Cpus = 3,
                MemoryMb = 6_144, DiskGb = 80, Application = "ledger-new", MigrateEncryption = "required" });
            db.DemoVms.Add(new DemoVm { Id = "demo-vm-new-2", Name = "new-payments-02", HostId = host, Datastore = reconfigured.Datastore, Cpus = 1,
                MemoryMb = 1_024, DiskGb = 10, Application = RequesterApp });
            await db.SaveChangesAsync();
        });
        var syncedAt = Portal.Time.GetUtcNow();

        var result = await SyncAsync();

        Assert.Equal(vmsBefore + 1, result.Vms);
        Assert.Equal(1, result.Removed);
        Assert.Equal(vmsBefore + 1, await Portal.Db(db => db.Vms.CountAsync()));
        Assert.False(await Portal.Db(db => db.Vms.AnyAsync(v => v.Id == doomed.Id)));

        // Rows written in bulk read back through EF with every value, and are found by key (the Guid is stored as EF stores it).
        var inserted = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.ExternalId == "demo-vm-new-1"));
        Assert.Equal(inserted.Id, (await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.Id == inserted.Id))).Id);
        Assert.Equal(("new-ledger-01", PowerState.Off, 3, 6_144L, 80L, 40L, "ledger-new", "required"),
            (inserted.Name, inserted.PowerState, inserted.Cpus, inserted.MemoryMb, inserted.ProvisionedGb, inserted.UsedGb, inserted.ApplicationTag, inserted.MigrateEncryption));
        Assert.Equal(changed.HostName, inserted.HostName);
        Assert.Equal(changed.ClusterName, inserted.ClusterName);
        Assert.Equal(changed.Datastores, inserted.Datastores);
        Assert.Equal(await DemoConnectionIdAsync(), inserted.ConnectionId);
        Assert.True(inserted.SyncedAt >= syncedAt.AddSeconds(-1), $"SyncedAt {inserted.SyncedAt:O} should be the sync's time (about {syncedAt:O})");
        Assert.Equal(1, await Portal.Db(db => db.Vms.CountAsync(v => v.SyncedAt == inserted.SyncedAt && v.Id == inserted.Id)));

        // A new application is created for an unseen tag; a known tag maps to its existing application.
        var ledger = await Portal.Db(db => db.Applications.AsNoTracking().SingleAsync(a => a.Name == "ledger-new"));
        Assert.Equal(ledger.Id, inserted.ApplicationId);
        var payments = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.ExternalId == "demo-vm-new-2"));
        Assert.Equal(await Portal.Db(db => db.Applications.Where(a => a.Name == RequesterApp).Select(a => a.Id).SingleAsync()), payments.ApplicationId);

        var reread = await Portal.Db(db => db.Vms.AsNoTracking().SingleAsync(v => v.Id == changed.Id));
        Assert.Equal((7, 12_345L), (reread.Cpus, reread.MemoryMb));

        // The request for the deleted VM keeps its own copy of what it was about.
        var kept = await Portal.Db(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == request.Id));
        Assert.Equal((doomed.Id, doomed.Name, doomed.HostName), (kept.VmId, kept.VmName, kept.SourceHostName));

        // A second pass over the same world changes nothing and removes nothing.
        var again = await SyncAsync();
        Assert.Equal((vmsBefore + 1, 0), (again.Vms, again.Removed));
        Assert.Equal(vmsBefore + 1, await Portal.Db(db => db.Vms.CountAsync()));
    }

    [Fact]
    public async Task Sync_RemovesEveryVm_WhenTheHypervisorReportsNone_AndAddsThemBackInOnePass()
    {
        var before = await Portal.Db(db => db.Vms.AsNoTracking().OrderBy(v => v.ExternalId).Select(v => new { v.ExternalId, v.Name, v.HostName, v.Cpus, v.MemoryMb }).ToListAsync());
        List<DemoVm> world = [];
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            world = await db.DemoVms.AsNoTracking().ToListAsync();
            await db.DemoVms.ExecuteDeleteAsync();
        });

        // The demo world re-seeds itself when empty, so keep one VM the portal has never seen.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            db.DemoVms.Add(new DemoVm { Id = "demo-vm-lonely", Name = "lonely", HostId = world[0].HostId, Datastore = world[0].Datastore, Cpus = 1, MemoryMb = 512, DiskGb = 5 });
            await db.SaveChangesAsync();
        });
        var emptied = await SyncAsync();
        Assert.Equal((1, before.Count), (emptied.Vms, emptied.Removed));
        Assert.Equal(["lonely"], await Portal.Db(db => db.Vms.Select(v => v.Name).ToListAsync()));

        await Portal.Scoped<PortalDbContext>(async db =>
        {
            await db.DemoVms.ExecuteDeleteAsync();
            db.DemoVms.AddRange(world);
            await db.SaveChangesAsync();
        });
        var refilled = await SyncAsync();
        Assert.Equal((before.Count, 1), (refilled.Vms, refilled.Removed));
        var after = await Portal.Db(db => db.Vms.AsNoTracking().OrderBy(v => v.ExternalId).Select(v => new { v.ExternalId, v.Name, v.HostName, v.Cpus, v.MemoryMb }).ToListAsync());
        Assert.Equal(before, after);
    }
}

public sealed class SqliteSyncInventoryTests() : SyncInventoryTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlSyncInventoryTests() : SyncInventoryTests(DatabaseProvider.PostgreSql);

/// <summary>Only where SQL Server runs in a container (MIGRATIONPORTAL_TEST_DATABASES=containers, scripts/test-databases.sh).</summary>
[Trait("Category", "SqlServer")]
public sealed class SqlServerSyncInventoryTests() : SyncInventoryTests(DatabaseProvider.SqlServer);
