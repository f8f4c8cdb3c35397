using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Inventory;

/// <summary>A host that mounts a datastore: its hypervisor ID (what a request's TargetHostId takes), its name and cluster.</summary>
public sealed record DatastoreHost(string ExternalId, string Name, string? ClusterName);

/// <summary>
/// A datastore (vSphere) or storage pool (libvirt, "uri#pool") as the API lists it. <paramref name="ExternalId"/> is the
/// hypervisor's own ID, the one a request's TargetDatastoreId takes (the portal <paramref name="Id"/> is accepted too).
/// </summary>
public sealed record DatastoreSummary(Guid Id, string ExternalId, string Name, Guid ConnectionId, string ConnectionName, IReadOnlyList<string> Clusters,
    long CapacityGb, long FreeGb, bool Accessible, IReadOnlyList<DatastoreHost> MountedOn);

/// <summary>Every datastore of every connection with the hosts that mount it. Like the hosts list, infrastructure: not for pure requesters.</summary>
public sealed class ListDatastores(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<DatastoreSummary>> HandleAsync(PortalUser user, Guid? connectionId, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "datastore.list", ct, Roles.Operator, Roles.Administrator, Roles.Approver, Roles.Auditor);
        var connections = await db.Connections.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var stores = await db.Datastores.AsNoTracking().Where(d => connectionId == null || d.ConnectionId == connectionId).ToListAsync(ct);
        var hosts = (await db.Hosts.AsNoTracking().Where(h => connectionId == null || h.ConnectionId == connectionId).ToListAsync(ct))
            .ToLookup(h => (h.ConnectionId, h.Name));
        return stores.Select(d =>
            {
                // The sync keeps the mounting hosts by name; the names are matched back to the hosts of the same connection for their IDs.
                var mounted = d.MountedOnHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .SelectMany(name => hosts[(d.ConnectionId, name)])
                    .Select(h => new DatastoreHost(h.ExternalId, h.Name, h.ClusterName)).OrderBy(h => h.Name).ToList();
                var clusters = mounted.Select(h => h.ClusterName).OfType<string>().Distinct().Order().ToList();
                return new DatastoreSummary(d.Id, d.ExternalId, d.Name, d.ConnectionId, connections.GetValueOrDefault(d.ConnectionId, ""), clusters,
                    d.CapacityGb, d.FreeGb, d.Accessible, mounted);
            })
            .OrderBy(d => d.ConnectionName).ThenBy(d => d.Name).ToList();
    }
}
