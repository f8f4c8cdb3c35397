using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// Every cluster of every connection (or of one) as the inventory reports its hosts, with the headroom it keeps: the one set,
/// or 0 % when none was. Hosts without a cluster (libvirt reports none) are their connection's own group. A headroom set
/// for a cluster that has no hosts any more is listed too, so it can be seen and cleared.
/// </summary>
public sealed class ListHeadroom(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<ClusterHeadroomView>> HandleAsync(PortalUser user, Guid? connectionId = null, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "headroom.list", ct, RuleAccess.ReadRoles);
        var hosts = db.Hosts.AsNoTracking();
        var set = db.ClusterHeadrooms.AsNoTracking();
        var connections = db.Connections.AsNoTracking();
        if (connectionId is { } id)
        {
            hosts = hosts.Where(h => h.ConnectionId == id);
            set = set.Where(h => h.ConnectionId == id);
            connections = connections.Where(c => c.Id == id);
        }

        var clusters = await hosts.GroupBy(h => new { h.ConnectionId, h.ClusterName }).Select(g => new { g.Key.ConnectionId, g.Key.ClusterName, Count = g.Count() }).ToListAsync(ct);
        var rows = await set.ToListAsync(ct);
        var names = await connections.ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var counts = clusters.GroupBy(c => (c.ConnectionId, c.ClusterName ?? ClusterHeadroom.WholeConnection)).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var keys = counts.Keys.Concat(rows.Select(r => (r.ConnectionId, r.ClusterName))).Distinct().Where(k => names.ContainsKey(k.ConnectionId));
        return keys.Select(k =>
            {
                var row = rows.FirstOrDefault(r => r.ConnectionId == k.ConnectionId && r.ClusterName == k.Item2);
                return new ClusterHeadroomView(k.ConnectionId, names[k.ConnectionId], k.Item2, counts.GetValueOrDefault(k), row?.CpuPercent ?? 0, row?.MemoryPercent ?? 0,
                    row is not null, row?.UpdatedBy, row?.UpdatedAt);
            })
            .OrderBy(v => v.ConnectionName, StringComparer.Ordinal).ThenBy(v => v.ClusterName, StringComparer.Ordinal).ToList();
    }
}
