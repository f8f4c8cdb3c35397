using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Evacuation;

/// <summary>Every host of every connection with its state and VM count, for the hosts panel. Hosts are infrastructure: not for pure requesters.</summary>
public sealed class ListHosts(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<HostSummary>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "host.list", ct, Roles.Operator, Roles.Administrator, Roles.Approver, Roles.Auditor);
        var connections = await db.Connections.AsNoTracking().Select(c => new { c.Id, c.Name, c.IsDemo }).ToListAsync(ct);
        var counts = await db.Vms.AsNoTracking().Where(v => v.HostExternalId != null)
            .GroupBy(v => new { v.ConnectionId, v.HostExternalId }).Select(g => new { g.Key.ConnectionId, g.Key.HostExternalId, Count = g.Count() }).ToListAsync(ct);
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        return hosts.Select(h =>
            {
                var c = connections.First(x => x.Id == h.ConnectionId);
                var count = counts.FirstOrDefault(x => x.ConnectionId == h.ConnectionId && x.HostExternalId == h.ExternalId)?.Count ?? 0;
                return ToSummary(h, c.Name, c.IsDemo, count);
            })
            .OrderBy(h => h.ConnectionName).ThenBy(h => h.ClusterName).ThenBy(h => h.Name).ToList();
    }

    internal static HostSummary ToSummary(Domain.Inventory.InventoryHost h, string connectionName, bool isDemo, int vmCount) =>
        new(h.Id, h.Name, h.ClusterName, h.ConnectionId, connectionName, isDemo, h.ConnectionState, h.PowerState, h.InMaintenance, h.MemoryMb, h.MemoryUsedMb, vmCount);
}
