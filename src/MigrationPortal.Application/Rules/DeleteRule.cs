using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>An Administrator or Operator deletes a rule; its members go with it, and the audit keeps what it held.</summary>
public sealed class DeleteRule(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "rule.delete", ct, RuleAccess.WriteRoles);
        var rule = await db.PlacementRules.Include(r => r.Vms).Include(r => r.Hosts).AsSplitQuery().FirstOrDefaultAsync(r => r.Id == id, ct)
            ?? throw new NotFoundException("Rule", id);
        var connection = await db.Connections.AsNoTracking().Where(c => c.Id == rule.ConnectionId).Select(c => c.Name).FirstOrDefaultAsync(ct) ?? "?";
        db.PlacementRules.Remove(rule);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, nameof(PlacementRule), id.ToString(), RuleAudit.Details("deleted", rule, connection));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The rule '{rule.Name}' was changed or deleted by someone else; reload the list.");
        }
    }
}
