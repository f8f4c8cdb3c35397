using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Evacuation;

/// <summary>Every host of every connection with its state and VM count, for the hosts panel. Hosts are infrastructure: not for pure requesters.</summary>
public sealed class ListHosts(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<HostSummary>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "host.list", ct, Roles.Operator, Roles.Administrator, Roles.Approver, Roles.Auditor);
        var connections = await db.Connections.AsNoTracking().Select(c => new { c.Id, c.Name, c.IsDemo }).ToListAsync(ct);
        // As on the host page: a VM a succeeded request moved away since its last sync no longer counts on its old host.
        // Counted on the server, one row per host: at 10,000 VMs and requests, reading every VM and every succeeded
        // request to count them here was most of the Inventory page's time.
        var counts = (await db.Vms.AsNoTracking()
                .Where(v => v.HostExternalId != null && !db.Requests.Any(r => r.VmId == v.Id && r.State == RequestState.Succeeded && r.Target.HostId != null
                    && r.CompletedAt != null && r.Target.HostId != v.HostExternalId && r.CompletedAt > v.SyncedAt))
                .GroupBy(v => new { v.ConnectionId, v.HostExternalId })
                .Select(g => new { g.Key.ConnectionId, g.Key.HostExternalId, Count = g.Count() })
                .ToListAsync(ct))
            .ToDictionary(g => (g.ConnectionId, g.HostExternalId), g => g.Count);
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        return hosts.Select(h =>
            {
                var c = connections.First(x => x.Id == h.ConnectionId);
                return ToSummary(h, c.Name, c.IsDemo, counts.GetValueOrDefault((h.ConnectionId, (string?)h.ExternalId)));
            })
            .OrderBy(h => h.ConnectionName).ThenBy(h => h.ClusterName).ThenBy(h => h.Name).ToList();
    }

    internal static HostSummary ToSummary(Domain.Inventory.InventoryHost h, string connectionName, bool isDemo, int vmCount) =>
        new(h.Id, h.Name, h.ClusterName, h.ConnectionId, connectionName, isDemo, h.ConnectionState, h.PowerState, h.InMaintenance, h.MemoryMb, h.MemoryUsedMb, vmCount, h.ExternalId);
}
