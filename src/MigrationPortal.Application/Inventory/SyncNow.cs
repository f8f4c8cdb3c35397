using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Inventory;

/// <summary>
/// "Sync now" on a connection: an Operator or Administrator queues an inventory sync of that connection at once rather
/// than waiting for its recurring job. The sync runs as a background job (a large vCenter takes longer than an HTTP call
/// should), so the answer is "accepted"; the connection's LastSyncedAt / LastSyncError then show how it went.
/// </summary>
public sealed class SyncNow(IPortalDb db, AccessGuard guard, IMigrationJobs jobs, TimeProvider time)
{
    public sealed record Accepted(Guid ConnectionId, string ConnectionName, DateTimeOffset RequestedAt);

    public async Task<Accepted> HandleAsync(PortalUser user, Guid connectionId, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "inventory.sync-now", ct, Roles.Operator, Roles.Administrator);
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        var now = time.GetUtcNow();
        AuditLog.Record(db, now, user.AsActor(), AuditActions.InventorySyncRequested, "Connection", connection.Id.ToString(),
            new { connection = connection.Name, reason = "sync now" }, isDemo: connection.IsDemo);
        await db.SaveChangesAsync(ct);
        // Queued after the audit record is saved: a sync is harmless to run twice, a sync nobody asked for on record is not.
        jobs.EnqueueSync(connection.Id);
        return new Accepted(connection.Id, connection.Name, now);
    }
}
