using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// An Operator or Administrator deletes a window. While waiting requests are scheduled into it the deletion is refused
/// with a validation error naming them (<see cref="WindowDependents"/>), so none is silently stranded.
/// </summary>
public sealed class DeleteMaintenanceWindow(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "window.delete", ct, Roles.Operator, Roles.Administrator);
        var window = await db.MaintenanceWindows.FirstOrDefaultAsync(w => w.Id == id, ct) ?? throw new NotFoundException("Maintenance window", id);
        await WindowDependents.ThrowIfAnyAsync(db, window, "deleted", ct);
        db.MaintenanceWindows.Remove(window);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, nameof(MaintenanceWindow), id.ToString(), new { change = "deleted", window.Name });
        await db.SaveChangesAsync(ct);
    }
}
