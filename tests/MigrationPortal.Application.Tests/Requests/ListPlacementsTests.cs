using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>The wizard's per-VM target rows: proposals from each VM's own cluster, and datastores only beside a host that mounts them.</summary>
public abstract class ListPlacementsTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private Task<List<InventoryVm>> PaymentsVmsAsync() => Portal.Db(db =>
        db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp)).OrderBy(v => v.Name).ToListAsync());

    private Task<IReadOnlyList<VmTargetChoices>> ListAsync(MigrationPortal.Application.Authorization.PortalUser user, params Guid[] vms) =>
        Portal.Scoped<ListPlacements, IReadOnlyList<VmTargetChoices>>(u => u.HandleAsync(user, vms));

    [Fact]
    public async Task HandleAsync_ProposesAHostOfEachVmsOwnCluster_WhenVmsSitInDifferentClusters()
    {
        var vms = await PaymentsVmsAsync();
        var pair = new[] { vms.First(), vms.First(v => v.ClusterName != vms.First().ClusterName) };
        var rows = await ListAsync(Requester, pair[0].Id, pair[1].Id);

        Assert.Equal(pair.Select(v => v.Id), rows.Select(r => r.VmId));
        foreach (var (vm, row) in pair.Zip(rows))
        {
            var proposed = row.Host(row.ProposeHost(MigrationKind.Compute));
            Assert.NotNull(proposed);
            Assert.Equal(vm.ClusterName, proposed.ClusterName);
            Assert.False(proposed.IsCurrent);
            Assert.Equal(vm.HostExternalId, row.CurrentHostId);
            Assert.Single(row.Hosts, h => h.IsCurrent);
        }
    }

    [Fact]
    public async Task DatastoresFor_OffersOnlyDatastoresTheChosenHostMounts_AndHostProblemNamesTheUnmountedStorage()
    {
        var vm = (await PaymentsVmsAsync()).First();
        var row = Assert.Single(await ListAsync(Requester, vm.Id));
        var otherCluster = row.Hosts.First(h => !h.SameCluster);
        var mountedThere = await Portal.Db(db => db.Datastores.Where(d => d.ConnectionId == vm.ConnectionId).ToListAsync());

        var offered = row.DatastoresFor(MigrationKind.ComputeAndStorage, otherCluster.ExternalId);
        Assert.NotEmpty(offered);
        Assert.All(offered, d => Assert.Contains(otherCluster.Name, mountedThere.Single(s => s.ExternalId == d.ExternalId).MountedOnHosts));
        Assert.True(offered.Count < row.Datastores.Count, "a datastore the host does not mount must not be offered");
        Assert.Contains(row.ProposeDatastore(MigrationKind.ComputeAndStorage, otherCluster.ExternalId), offered.Select(d => d.ExternalId));

        // A compute-only move cannot land where the VM's disks are not mounted; the row says so, naming the datastore.
        Assert.Contains("does not mount", row.HostProblem(MigrationKind.Compute, otherCluster.ExternalId));
        Assert.Contains(vm.Datastores, row.HostProblem(MigrationKind.Compute, otherCluster.ExternalId));
        Assert.Null(row.HostProblem(MigrationKind.ComputeAndStorage, otherCluster.ExternalId));
    }

    [Fact]
    public async Task HandleAsync_Forbidden_WhenAVmIsAnotherApplications()
    {
        var vm = (await PaymentsVmsAsync()).First();
        await Assert.ThrowsAsync<ForbiddenException>(() => ListAsync(OtherRequester, vm.Id));
    }

    [Fact]
    public async Task HandleAsync_NotFound_WhenAVmIsUnknown()
    {
        var vm = (await PaymentsVmsAsync()).First();
        await Assert.ThrowsAsync<NotFoundException>(() => ListAsync(Requester, vm.Id, Guid.NewGuid()));
    }
}

public sealed class SqliteListPlacementsTests() : ListPlacementsTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlListPlacementsTests() : ListPlacementsTests(DatabaseProvider.PostgreSql);
