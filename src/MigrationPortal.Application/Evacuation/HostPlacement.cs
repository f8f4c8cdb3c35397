using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
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
    public static bool CanTakeVms(InventoryHost h) => h.ConnectionState == "connected" && h.PowerState == PowerState.On && !h.InMaintenance;

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
    /// Hosts of the connection whose evacuation is under way: an evacuation was submitted for them and VMs are still being
    /// moved off. They are not offered as targets, or emptying two hosts in turn would send VMs back to the first.
    /// </summary>
    public static async Task<HashSet<string>> BeingEmptiedAsync(IPortalDb db, Guid connectionId, CancellationToken ct)
    {
        var evacuated = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditActions.HostEvacuationSubmitted && e.EntityType == "InventoryHost").Select(e => e.EntityId).Distinct().ToListAsync(ct);
        if (evacuated.Count == 0) return [];
        var hosts = (await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId).Select(h => new { h.Id, h.ExternalId, h.Name }).ToListAsync(ct))
            .Where(h => evacuated.Contains(h.Id.ToString())).ToList();
        var active = RequestTransitions.Active.ToArray();
        var names = hosts.Select(h => h.Name).ToList();
        var leaving = await db.Requests.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId && active.Contains(r.State) && r.SourceHostName != null && names.Contains(r.SourceHostName))
            .Select(r => r.SourceHostName!).Distinct().ToListAsync(ct);
        return hosts.Where(h => leaving.Contains(h.Name)).Select(h => h.ExternalId).ToHashSet();
    }

    /// <summary>
    /// Memory already promised to each host of the connection and not yet in its inventory figures: VMs of active requests
    /// that target it, and VMs a succeeded request moved there since they were last synced. Without this, emptying two hosts
    /// one after the other would count the first one's VMs nowhere.
    /// </summary>
    public static async Task<Dictionary<string, long>> CommittedMbAsync(IPortalDb db, Guid connectionId, CancellationToken ct)
    {
        var active = RequestTransitions.Active.ToArray();
        var moves = await db.Requests.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId && r.Target.HostId != null && (active.Contains(r.State) || r.State == RequestState.Succeeded))
            .Join(db.Vms, r => r.VmId, v => v.Id, (r, v) => new { TargetHostId = r.Target.HostId!, r.State, r.CompletedAt, v.MemoryMb, v.SyncedAt, v.HostExternalId })
            .ToListAsync(ct);
        return moves
            .Where(m => m.State != RequestState.Succeeded || (m.CompletedAt > m.SyncedAt && m.HostExternalId != m.TargetHostId))
            .GroupBy(m => m.TargetHostId).ToDictionary(g => g.Key, g => g.Sum(m => m.MemoryMb));
    }

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
