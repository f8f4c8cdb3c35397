using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Inventory;

public sealed record VmDetails(VmView Vm, string? ResourcePool, long UsedGb, string? MigrateEncryption, DateTimeOffset SyncedAt, IReadOnlyList<RequestSummary> Requests);

/// <summary>One VM's placement and its request history. A requester may open only their applications' VMs (403), unknown IDs are 404.</summary>
public sealed class GetVm(IPortalDb db, AccessGuard guard)
{
    public async Task<VmDetails> HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct) ?? throw new NotFoundException("VM", id);
        var visible = await guard.VisibleVmsAsync(user, ct);
        if (!await visible.AnyAsync(v => v.Id == id, ct))
            await guard.DenyAsync(user, "vm.view", "InventoryVm", id.ToString(), AccessGuard.NotYourVm, ct);
        var connection = await db.Connections.AsNoTracking().Where(c => c.Id == vm.ConnectionId).Select(c => new { c.Name, c.Kind }).FirstAsync(ct);
        var appName = vm.ApplicationId is null ? null : await db.Applications.Where(a => a.Id == vm.ApplicationId).Select(a => a.Name).FirstOrDefaultAsync(ct);
        var view = new VmView(vm.Id, vm.ConnectionId, connection.Name, connection.Kind == MigrationPortal.Domain.Inventory.ConnectionKinds.Demo, vm.Name, vm.PowerState,
            vm.HostExternalId, vm.HostName, vm.ClusterName, vm.Datastores, vm.Cpus, vm.MemoryMb, vm.ProvisionedGb, vm.ApplicationId, appName, connection.Kind, vm.ExternalId);
        // History through the same visibility as GetRequest: a VM moved to another application does not reveal the old one's requests.
        var requests = await (await guard.VisibleRequestsAsync(user, ct)).AsNoTracking().Where(r => r.VmId == id).OrderByDescending(r => r.CreatedAt).Take(100).ToListAsync(ct);
        return new VmDetails(view, vm.ResourcePool, vm.UsedGb, vm.MigrateEncryption, vm.SyncedAt, requests.Select(r => r.ToSummary()).ToList());
    }
}
