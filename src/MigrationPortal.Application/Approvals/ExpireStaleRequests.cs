using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Approvals;

/// <summary>A recurring job: pending requests past their expiry time become Expired. Safe to run on several nodes at once.</summary>
public sealed class ExpireStaleRequests(IPortalDb db, TimeProvider time)
{
    public async Task<int> HandleAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var pendingIds = await db.Requests.Where(r => r.State == RequestState.PendingApproval).Select(r => new { r.Id, r.ExpiresAt }).ToListAsync(ct);
        var expired = 0;
        foreach (var candidate in pendingIds.Where(p => p.ExpiresAt <= now))
        {
            var request = await db.LoadRequestAsync(candidate.Id, ct);
            if (!request.IsOverdue(now)) continue;
            var before = request.Transitions.Count;
            request.Expire(now);
            AuditLog.ForRequest(db, now, Actor.System, AuditActions.RequestExpired, request, new { expiresAt = request.ExpiresAt });
            AuditLog.TransitionsSince(db, request, before);
            try
            {
                await db.SaveChangesAsync(ct);
                expired++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone decided at the same moment; their decision stands and this request is no longer pending.
                db.DiscardChanges();
            }
        }

        return expired;
    }
}
