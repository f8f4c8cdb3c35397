using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Rules;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// The clusters and host groups recommendations can be asked for: every (connection, cluster) the inventory reports hosts
/// for, the hosts without a cluster forming their connection's group, named as the rules page names them.
/// </summary>
public sealed class ListOptimizationGroups(IPortalDb db, RecommendationPlanner planner)
{
    public async Task<IReadOnlyList<OptimizationGroupView>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await planner.RequireMayOptimizeAsync(user, ct);
        var connections = await db.Connections.AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        var vms = await db.Vms.AsNoTracking().Where(v => v.HostExternalId != null).GroupBy(v => new { v.ConnectionId, v.HostExternalId })
            .Select(g => new { g.Key.ConnectionId, g.Key.HostExternalId, Count = g.Count() }).ToListAsync(ct);
        var vmCount = vms.ToDictionary(v => (v.ConnectionId, v.HostExternalId!), v => v.Count);
        return hosts.Where(h => connections.ContainsKey(h.ConnectionId))
            .GroupBy(h => (h.ConnectionId, Cluster: string.IsNullOrEmpty(h.ClusterName) ? ClusterHeadroom.WholeConnection : h.ClusterName))
            .Select(g =>
            {
                var connection = connections[g.Key.ConnectionId];
                return new OptimizationGroupView(connection.Id, connection.Name, connection.Kind, g.Key.Cluster, RuleAccess.ClusterDisplayName(g.Key.Cluster, connection.Name),
                    g.Count(), g.Count(HostPlacement.CanTakeVms), g.Sum(h => vmCount.GetValueOrDefault((h.ConnectionId, h.ExternalId))));
            })
            .OrderBy(v => v.ConnectionName, StringComparer.Ordinal).ThenBy(v => v.DisplayName, StringComparer.Ordinal).ToList();
    }
}
