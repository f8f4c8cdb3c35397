using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Common;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors.Demo;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// Start-up work: apply migrations (never EnsureCreated), and on a portal with no real connection, create the labelled
/// demo connection and its first inventory sync. Safe on several nodes starting at once.
/// </summary>
public sealed class DatabaseInitializer(PortalDbContext db, SyncInventory sync, RoleManager<IdentityRole> roles, IOptions<DemoOptions> demo, TimeProvider time, ILogger<DatabaseInitializer> logger)
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

        var connection = await db.Connections.FirstOrDefaultAsync(c => c.Kind == ConnectionKinds.Demo, ct);
        if (connection is null)
        {
            connection = new Connection(DemoWorldShape.ConnectionName, ConnectionKinds.Demo, "demo://in-process");
            db.Connections.Add(connection);
            AuditLog.Record(db, time.GetUtcNow(), Actor.System, AuditActions.ConfigChanged, "Connection", connection.Id.ToString(),
                new { change = "added", connection.Name, connection.Kind, reason = "No hypervisor connection exists; the simulated demo inventory is shown instead." }, isDemo: true);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.DiscardChanges();
                return; // another node created it
            }

            logger.LogInformation("No hypervisor connection exists: created the Demo connection with a simulated inventory.");
        }

        if (await db.Vms.AnyAsync(v => v.ConnectionId == connection.Id, ct)) return;
        await DemoConnector.EnsureSeededAsync(db, ct);
        await sync.HandleAsync(PortalUser.System, connection.Id, ct);
    }
}
