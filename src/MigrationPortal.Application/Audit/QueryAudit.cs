using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Audit;

/// <summary>A page of audit events, newest first. Auditors and administrators only.</summary>
public sealed class QueryAudit(IPortalDb db, AccessGuard guard)
{
    public async Task<PagedResult<AuditEventView>> HandleAsync(PortalUser user, AuditFilter filter, int skip = 0, int take = 100, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.query", ct, Roles.Auditor, Roles.Administrator);
        filter.Check(new Validation()
            .Require(take is > 0 and <= 1000, "take", "Take between 1 and 1,000 events.")
            .Require(skip >= 0, "skip", "Skip cannot be negative."))
            .ThrowIfInvalid();
        var query = filter.Apply(db.AuditEvents.AsNoTracking());
        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(e => e.Sequence).Skip(skip).Take(take).ToListAsync(ct);
        return new PagedResult<AuditEventView>(page.Select(AuditEventView.From).ToList(), total);
    }
}
