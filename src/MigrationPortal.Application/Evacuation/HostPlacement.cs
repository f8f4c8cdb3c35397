using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Evacuation;

/// <summary>
/// The rules an evacuation keeps, shared by the proposal and the submission that re-checks an edited proposal: which hosts
/// can take VMs, whether a compute-only move is possible (the target must mount every datastore of the VM), and which VMs
/// the portal believes are still on a host.
/// </summary>
internal static class HostPlacement
{
    public static bool CanTakeVms(InventoryHost h) => h.ConnectionState == "connected" && h.PowerState == "poweredOn" && !h.InMaintenance;

    public static bool MountsAll(InventoryVm vm, InventoryHost host, IReadOnlyList<InventoryDatastore> stores)
    {
        foreach (var name in vm.Datastores.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var store = stores.FirstOrDefault(d => d.Name == name);
            if (store is null || !store.Accessible || !MountedOn(store, host)) return false;
        }

        return true;
    }

    public static bool MountedOn(InventoryDatastore store, InventoryHost host) =>
        store.MountedOnHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(host.Name);

    /// <summary>
    /// The VMs on the host: the inventory's, less those a succeeded request has moved away since they were last synced,
    /// so the host shows empty as soon as its evacuation finishes, not only after the next inventory sync.
    /// </summary>
    public static async Task<List<InventoryVm>> VmsOnAsync(IPortalDb db, InventoryHost host, CancellationToken ct)
    {
        var vms = await db.Vms.AsNoTracking().Where(v => v.ConnectionId == host.ConnectionId && v.HostExternalId == host.ExternalId).OrderBy(v => v.Name).ToListAsync(ct);
        var ids = vms.Select(v => v.Id).ToList();
        var moves = await db.Requests.AsNoTracking()
            .Where(r => ids.Contains(r.VmId) && r.State == RequestState.Succeeded && r.Target.HostId != null && r.Target.HostId != host.ExternalId)
            .Select(r => new { r.VmId, r.CompletedAt }).ToListAsync(ct);
        return vms.Where(v => !moves.Any(m => m.VmId == v.Id && m.CompletedAt > v.SyncedAt)).ToList();
    }
}
