using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Telemetry;
using MigrationPortal.Domain.Audit;

namespace MigrationPortal.Application.Audit;

/// <summary>
/// Re-computes the whole hash chain and reports the first broken link. The chain head and the events are read in one
/// snapshot: read apart, a writer committing between the two statements looked like rows appended past the head.
/// The verification itself is audited.
/// </summary>
public sealed class VerifyAuditChain(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<ChainVerification> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.verify", ct, Roles.Auditor, Roles.Administrator);
        var result = await db.ReadConsistentAsync(async c =>
        {
            var head = await db.GetAuditChainHeadAsync(c);
            return await AuditChain.VerifyAsync(db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable(), head, c);
        }, ct);
        // Recorded even when the chain is broken: rows forged past the head no longer block appends (see AuditActions.ChainAnomaly).
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.AuditVerified, "AuditEvent", null,
            new { intact = result.IsIntact, checkedEvents = result.EventsChecked, firstBreak = result.FirstBreak?.Sequence, problem = result.FirstBreak?.Problem });
        await db.SaveChangesAsync(ct);
        PortalTelemetry.RecordAuditVerification(result.IsIntact);
        return result;
    }
}
