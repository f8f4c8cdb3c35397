using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Inventory;

public sealed record VmDetails(VmView Vm, string? ResourcePool, long UsedGb, string? MigrateEncryption, DateTimeOffset SyncedAt, IReadOnlyList<RequestSummary> Requests);

/// <summary>One VM's placement and its request history. A requester may open only their applications' VMs (403), unknown IDs are 404.</summary>
public sealed class GetVm(IPortalDb db, AccessGuard guard, ListVms list)
{
    public async Task<VmDetails> HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct) ?? throw new NotFoundException("VM", id);
        var visible = await guard.VisibleVmsAsync(user, ct);
        if (!await visible.AnyAsync(v => v.Id == id, ct))
            await guard.DenyAsync(user, "vm.view", "InventoryVm", id.ToString(), $"VM '{vm.Name}' belongs to an application you do not own.", ct);
        var view = (await list.HandleAsync(user, new ListVms.Query(Search: vm.Name, ConnectionId: vm.ConnectionId, Take: 500), ct)).Items.First(v => v.Id == id);
        var requests = await db.Requests.AsNoTracking().Where(r => r.VmId == id).OrderByDescending(r => r.CreatedAt).Take(100).ToListAsync(ct);
        return new VmDetails(view, vm.ResourcePool, vm.UsedGb, vm.MigrateEncryption, vm.SyncedAt, requests.Select(r => r.ToSummary()).ToList());
    }
}
