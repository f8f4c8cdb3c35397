using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Inventory;

/// <summary>
/// Collects one connection's inventory through its connector and mirrors it into the portal: rows are updated in place,
/// new ones added, and ones the hypervisor no longer reports removed (requests keep their own copy of names, so history stays).
/// VMs tagged with an application are mapped to it (created on first sight); untagged VMs keep an administrator's mapping.
/// </summary>
public sealed class SyncInventory(IPortalDb db, AccessGuard guard, MigrationPlanner planner, IConnectorResolver connectors, TimeProvider time)
{
    public sealed record Result(int Clusters, int Hosts, int Datastores, int Vms, int Removed);

    public async Task<Result> HandleAsync(PortalUser user, Guid connectionId, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "inventory.sync", ct, Roles.Operator, Roles.Administrator);
        var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        var now = time.GetUtcNow();
        InventorySnapshot snapshot;
        try
        {
            snapshot = await connectors.Resolve(connection.Kind).CollectInventoryAsync(planner.ToInfo(connection), ct);
        }
        catch (ConnectorException e)
        {
            connection.LastSyncError = $"{e.FaultType}: {e.Message}";
            await db.SaveChangesAsync(ct);
            throw;
        }

        var clusters = await db.Clusters.AsNoTracking().Where(x => x.ConnectionId == connectionId).ToDictionaryAsync(x => x.ExternalId, ct);
        var clusterChanges = Mirror(db.Clusters, clusters, snapshot.Clusters, x => x.Id, c => c.ExternalId, c => new InventoryCluster { ConnectionId = connectionId, ExternalId = c.ExternalId }, (row, c) =>
        {
            row.Name = c.Name;
            row.Datacenter = c.Datacenter;
        });

        var hosts = await db.Hosts.AsNoTracking().Where(x => x.ConnectionId == connectionId).ToDictionaryAsync(x => x.ExternalId, ct);
        var hostChanges = Mirror(db.Hosts, hosts, snapshot.Hosts, x => x.Id, h => h.ExternalId, h => new InventoryHost { ConnectionId = connectionId, ExternalId = h.ExternalId }, (row, h) =>
        {
            row.Name = h.Name;
            row.ClusterName = h.ClusterName;
            row.ConnectionState = h.ConnectionState;
            row.PowerState = h.PowerState;
            row.InMaintenance = h.InMaintenance;
            row.CpuCores = h.CpuCores;
            row.MemoryMb = h.MemoryMb;
            row.MemoryUsedMb = h.MemoryUsedMb;
        });

        var datastores = await db.Datastores.AsNoTracking().Where(x => x.ConnectionId == connectionId).ToDictionaryAsync(x => x.ExternalId, ct);
        var datastoreChanges = Mirror(db.Datastores, datastores, snapshot.Datastores, x => x.Id, d => d.ExternalId, d => new InventoryDatastore { ConnectionId = connectionId, ExternalId = d.ExternalId }, (row, d) =>
        {
            row.Name = d.Name;
            row.CapacityGb = d.CapacityGb;
            row.FreeGb = d.FreeGb;
            row.Accessible = d.Accessible;
            row.MountedOnHosts = string.Join(',', d.MountedOnHosts);
        });

        var applications = await db.Applications.ToDictionaryAsync(a => a.Name, StringComparer.OrdinalIgnoreCase, ct);
        Guid? ApplicationFor(string? tag)
        {
            if (string.IsNullOrWhiteSpace(tag)) return null;
            if (!applications.TryGetValue(tag, out var app))
            {
                app = new MigrationPortal.Domain.Inventory.Application(tag);
                db.Applications.Add(app);
                applications[tag] = app;
            }

            return app.Id;
        }

        var vms = await db.Vms.AsNoTracking().Where(x => x.ConnectionId == connectionId).ToDictionaryAsync(x => x.ExternalId, ct);
        var vmChanges = Mirror(db.Vms, vms, snapshot.Vms, x => x.Id, v => v.ExternalId, v => new InventoryVm { ConnectionId = connectionId, ExternalId = v.ExternalId }, (row, v) =>
        {
            row.Name = v.Name;
            row.PowerState = v.PowerState;
            row.HostExternalId = v.HostExternalId;
            row.HostName = v.HostName;
            row.ClusterName = v.ClusterName;
            row.ResourcePool = v.ResourcePool;
            row.Datastores = string.Join(',', v.Datastores);
            row.Cpus = v.Cpus;
            row.MemoryMb = v.MemoryMb;
            row.ProvisionedGb = v.ProvisionedGb;
            row.UsedGb = v.UsedGb;
            row.ApplicationTag = v.ApplicationTag;
            row.ApplicationId = ApplicationFor(v.ApplicationTag) ?? row.ApplicationId;
            row.MigrateEncryption = v.MigrateEncryption;
            row.Networks = string.Join(',', v.Networks ?? []);
            row.SnapshotCount = v.SnapshotCount;
            row.Disks = v.Disks;
        }, row => row.SyncedAt = now);

        var networks = await db.Networks.AsNoTracking().Where(x => x.ConnectionId == connectionId).ToDictionaryAsync(x => x.ExternalId, ct);
        var networkChanges = Mirror(db.Networks, networks, snapshot.Networks ?? [], x => x.Id, n => n.ExternalId, n => new InventoryNetwork { ConnectionId = connectionId, ExternalId = n.ExternalId }, (row, n) =>
        {
            row.Name = n.Name;
            row.Hosts = string.Join(',', n.Hosts);
        });

        connection.LastSyncedAt = now;
        connection.LastSyncError = null;
        var removed = clusterChanges.Removed.Count + hostChanges.Removed.Count + datastoreChanges.Removed.Count + vmChanges.Removed.Count + networkChanges.Removed.Count;
        var result = new Result(snapshot.Clusters.Count, snapshot.Hosts.Count, snapshot.Datastores.Count, snapshot.Vms.Count, removed);
        AuditLog.Record(db, now, user.IsSystemUser() ? Actor.System : user.AsActor(), AuditActions.InventorySynced, "Connection", connection.Id.ToString(),
            new { connection = connection.Name, result.Clusters, result.Hosts, result.Datastores, result.Vms, result.Removed }, isDemo: connection.IsDemo);
        // One transaction: the tracked changes (changed rows, new applications, the connection, the audit record) through
        // SaveChanges; new rows through the bulk insert and vanished ones in set-based DELETEs, since SaveChanges tracks every
        // entity and sends one command per entity on SQLite (10,000 of them on a first sync); the "seen at" time of unchanged
        // rows in one UPDATE.
        await db.InTransactionAsync(async t =>
        {
            await db.SaveChangesAsync(t);
            await db.InsertManyAsync(clusterChanges.Added, t);
            await db.InsertManyAsync(hostChanges.Added, t);
            await db.InsertManyAsync(datastoreChanges.Added, t);
            await db.InsertManyAsync(vmChanges.Added, t);
            await db.InsertManyAsync(networkChanges.Added, t);
            await DeleteAsync(clusterChanges.Removed, ids => db.Clusters.Where(x => ids.Contains(x.Id)), t);
            await DeleteAsync(hostChanges.Removed, ids => db.Hosts.Where(x => ids.Contains(x.Id)), t);
            await DeleteAsync(datastoreChanges.Removed, ids => db.Datastores.Where(x => ids.Contains(x.Id)), t);
            await DeleteAsync(vmChanges.Removed, ids => db.Vms.Where(x => ids.Contains(x.Id)), t);
            await DeleteAsync(networkChanges.Removed, ids => db.Networks.Where(x => ids.Contains(x.Id)), t);
            // Rows inserted or changed in this pass already carry the time; rewriting them would only cost (PostgreSQL writes a new row version).
            await db.Vms.Where(v => v.ConnectionId == connectionId && v.SyncedAt != now).ExecuteUpdateAsync(u => u.SetProperty(v => v.SyncedAt, now), t);
        }, ct);
        return result;
    }

    /// <summary>New rows to insert and the IDs of vanished rows to delete, for one kind of inventory row.</summary>
    private sealed record Changes<TRow>(List<TRow> Added, List<Guid> Removed);

    /// <summary>IDs per DELETE statement: well under SQL Server's 2,100 parameters, whichever way EF Core sends the list.</summary>
    private const int DeleteChunk = 500;

    /// <summary>
    /// Mirrors one kind of inventory row. Existing rows are read untracked and only the ones whose values changed are
    /// attached (as modified), so a sync of 10,000 unchanged VMs costs no change tracking and writes nothing for them.
    /// New rows and vanished rows are returned rather than tracked, for the caller to write in bulk.
    /// </summary>
    private static Changes<TRow> Mirror<TRow, TInfo>(DbSet<TRow> set, Dictionary<string, TRow> existing, IReadOnlyList<TInfo> current, Func<TRow, Guid> rowId,
        Func<TInfo, string> key, Func<TInfo, TRow> create, Action<TRow, TInfo> update, Action<TRow>? onInsert = null)
        where TRow : class
    {
        var changes = new Changes<TRow>([], []);
        var seen = new HashSet<string>();
        foreach (var item in current)
        {
            var id = key(item);
            if (!seen.Add(id)) continue;
            if (!existing.TryGetValue(id, out var row))
            {
                row = create(item);
                update(row, item);
                onInsert?.Invoke(row);
                changes.Added.Add(row);
                existing[id] = row;
                continue;
            }

            var before = Fingerprint(row);
            update(row, item);
            if (!Fingerprint(row).SequenceEqual(before))
            {
                onInsert?.Invoke(row);
                set.Update(row);
            }
        }

        changes.Removed.AddRange(existing.Where(e => !seen.Contains(e.Key)).Select(e => rowId(e.Value)));
        return changes;
    }

    private static async Task DeleteAsync<TRow>(List<Guid> ids, Func<Guid[], IQueryable<TRow>> matching, CancellationToken ct)
    {
        foreach (var chunk in ids.Chunk(DeleteChunk)) await matching(chunk).ExecuteDeleteAsync(ct);
    }

    /// <summary>The values of a row's public properties, to tell whether a sync changed it.</summary>
    private static object?[] Fingerprint<TRow>(TRow row) where TRow : class
    {
        var properties = PropertiesOf<TRow>.All;
        var values = new object?[properties.Length];
        for (var i = 0; i < properties.Length; i++) values[i] = properties[i](row);
        return values;
    }

    private static class PropertiesOf<TRow>
    {
        public static readonly Func<TRow, object?>[] All = typeof(TRow).GetProperties()
            .Where(p => p.CanRead && p.CanWrite && p.Name != nameof(InventoryVm.SyncedAt))
            .Select(p => (Func<TRow, object?>)(row => p.GetValue(row)))
            .ToArray();
    }
}
