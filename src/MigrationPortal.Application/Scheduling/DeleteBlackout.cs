using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>An Operator or Administrator ends a change freeze by deleting the blackout.</summary>
public sealed class DeleteBlackout(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "blackout.delete", ct, Roles.Operator, Roles.Administrator);
        var blackout = await db.Blackouts.FirstOrDefaultAsync(b => b.Id == id, ct) ?? throw new NotFoundException("Blackout", id);
        db.Blackouts.Remove(blackout);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, nameof(Blackout), id.ToString(), new { change = "deleted", blackout.Name });
        await db.SaveChangesAsync(ct);
    }
}
