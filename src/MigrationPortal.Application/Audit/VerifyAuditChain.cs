using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Application.Audit;

/// <summary>Re-computes the whole hash chain and reports the first broken link. The verification itself is audited.</summary>
public sealed class VerifyAuditChain(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<ChainVerification> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.verify", ct, Roles.Auditor, Roles.Administrator);
        var head = await db.GetAuditChainHeadAsync(ct);
        var result = await AuditChain.VerifyAsync(db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable(), head, ct);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.AuditVerified, "AuditEvent", null,
            new { intact = result.IsIntact, checkedEvents = result.EventsChecked, firstBreak = result.FirstBreak?.Sequence, problem = result.FirstBreak?.Problem });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (!result.IsIntact)
        {
            // A row forged past the chain head occupies the next sequence number, so nothing can be appended until an
            // administrator removes it. The verdict still reaches the auditor; failing appends are the alarm.
            db.DiscardChanges();
        }

        return result;
    }
}
