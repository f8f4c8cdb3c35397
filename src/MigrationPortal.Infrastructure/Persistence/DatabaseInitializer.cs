using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Infrastructure.Connectors.Demo;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Start-up work: apply migrations (never EnsureCreated), and on a portal with no real connection, create the labelled
/// demo connections (a vCenter-like one and a KVM one), the maps between them, their first inventory sync and a week of
/// their simulated utilisation (so the Optimize page and the load charts mean something at first sight). Safe on several
/// nodes starting at once, and on a demo database seeded before any of this existed.
/// </summary>
public sealed class DatabaseInitializer(PortalDbContext db, SyncInventory sync, BackfillUtilisation backfill, RoleManager<IdentityRole> roles, IOptions<DemoOptions> demo,
    IOptions<UtilisationOptions> utilisation, TimeProvider time, ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        // SQLite: write-ahead logging lets the UI and the dispatcher read while a run job writes. EF Core already creates
        // new databases in WAL mode; this also covers a file made another way (sqlite3, a restored copy). The mode is
        // stored in the file, so after that it changes nothing.
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await db.Database.MigrateAsync(ct);
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role)) continue;
            try
            {
                var created = await roles.CreateAsync(new IdentityRole(role));
                if (!created.Succeeded && !await roles.RoleExistsAsync(role)) throw new InvalidOperationException($"Could not create role {role}.");
            }
            catch (DbUpdateException)
            {
                // Another node starting at the same moment created it first.
                db.DiscardChanges();
                if (!await roles.RoleExistsAsync(role)) throw;
            }
        }

        if (!demo.Value.Enabled) return;
        if (await db.Connections.AnyAsync(c => c.Kind != ConnectionKinds.Demo, ct)) return;

        var vcenter = await EnsureDemoConnectionAsync(DemoWorlds.VCenter, "No hypervisor connection exists; the simulated demo inventory is shown instead.", ct);
        var kvm = await EnsureDemoConnectionAsync(DemoWorlds.Kvm, "The simulated KVM destination of the demo's VMware → KVM conversions.", ct);
        if (vcenter is null || kvm is null) return; // another node is creating them
        await EnsureDemoMapsAsync(vcenter, kvm, ct);
        await DemoConnector.EnsureSeededAsync(db, ct);
        foreach (var connection in new[] { vcenter, kvm })
        {
            // A synced demo connection always has hosts; the KVM world may have no VMs.
            if (await db.Hosts.AnyAsync(h => h.ConnectionId == connection.Id, ct)) continue;
            await sync.HandleAsync(PortalUser.System, connection.Id, ct);
        }

        // Before the first collection (up to 5 minutes away) every VM would count at its configured size and the
        // recommendations would see no skew. A history that is not empty is left alone, so a restart adds nothing.
        if (!demo.Value.BackfillUtilisation || !utilisation.Value.Enabled) return;
        foreach (var connection in new[] { vcenter, kvm })
        {
            var started = time.GetTimestamp();
            var added = await backfill.HandleAsync(connection.Id, ct);
            if (added > 0)
                logger.LogInformation("Backfilled {Samples} utilisation samples of the demo connection {Name} in {Seconds:0.0} s.", added, connection.Name,
                    time.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// The demo connection of one world, found by its endpoint or created. The demo moves nothing over a network, so it
    /// has no certificate to pin and no TLS to use; its policy allows such legs (AllowUnencryptedMigration), so a demo
    /// conversion passes its encryption precheck with a Warning that says so, instead of failing on a leg that does not exist.
    /// </summary>
    private async Task<Connection?> EnsureDemoConnectionAsync(DemoWorldLayout world, string reason, CancellationToken ct)
    {
        var connection = await db.Connections.FirstOrDefaultAsync(c => c.Kind == ConnectionKinds.Demo && c.Endpoint == world.Endpoint, ct);
        if (connection is not null)
        {
            if (connection.AllowUnencryptedMigration) return connection;
            connection.AllowUnencryptedMigration = true;
            AuditLog.Record(db, time.GetUtcNow(), Actor.System, AuditActions.ConfigChanged, "Connection", connection.Id.ToString(),
                new { change = "policy", connection.Name, unencryptedMigrationAllowed = true, reason = "The demo moves nothing over a network, so it has no leg to protect." }, isDemo: true);
            await db.SaveChangesAsync(ct);
            return connection;
        }

        connection = new Connection(world.ConnectionName, ConnectionKinds.Demo, world.Endpoint) { AllowUnencryptedMigration = true };
        db.Connections.Add(connection);
        AuditLog.Record(db, time.GetUtcNow(), Actor.System, AuditActions.ConfigChanged, "Connection", connection.Id.ToString(),
            new { change = "added", connection.Name, connection.Kind, reason }, isDemo: true);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.DiscardChanges();
            return null; // another node created it
        }

        logger.LogInformation("Created the demo connection {Name} with a simulated inventory.", world.ConnectionName);
        return connection;
    }

    /// <summary>The demo's network and storage maps from the vCenter-like world to the KVM world, made once, so a demo conversion inherits them.</summary>
    private async Task EnsureDemoMapsAsync(Connection vcenter, Connection kvm, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!await db.NetworkMaps.AnyAsync(m => m.SourceConnectionId == vcenter.Id && m.DestinationConnectionId == kvm.Id, ct))
        {
            var map = new NetworkMap(DemoConversionMaps.NetworkMapName, vcenter.Id, kvm.Id, DemoConversionMaps.Networks, Actor.System, now);
            db.NetworkMaps.Add(map);
            AuditLog.Record(db, now, Actor.System, AuditActions.ConfigChanged, "NetworkMap", map.Id.ToString(),
                new { change = "added", map.Name, source = vcenter.Name, destination = kvm.Name, entries = map.Entries }, isDemo: true);
        }

        if (!await db.StorageMaps.AnyAsync(m => m.SourceConnectionId == vcenter.Id && m.DestinationConnectionId == kvm.Id, ct))
        {
            var map = new StorageMap(DemoConversionMaps.StorageMapName, vcenter.Id, kvm.Id, DemoConversionMaps.Storage, Actor.System, now);
            db.StorageMaps.Add(map);
            AuditLog.Record(db, now, Actor.System, AuditActions.ConfigChanged, "StorageMap", map.Id.ToString(),
                new { change = "added", map.Name, source = vcenter.Name, destination = kvm.Name, entries = map.Entries }, isDemo: true);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.DiscardChanges(); // another node made them at the same moment (unique name per pair)
        }
    }
}
