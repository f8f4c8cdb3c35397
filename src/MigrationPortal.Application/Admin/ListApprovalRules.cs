using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Admin;

/// <summary>The ordered approval policy. Administrators edit it; approvers and auditors may read it.</summary>
public sealed class ListApprovalRules(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<SetApprovalRules.Rule>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "policy.list", ct, Roles.Administrator, Roles.Approver, Roles.Auditor);
        var rules = await db.ApprovalRules.AsNoTracking().OrderBy(r => r.Order).ToListAsync(ct);
        return rules.Select(r => new SetApprovalRules.Rule(r.Name, r.Outcome, r.RequiredApprovals, r.ApproverGroup, r.ApplicationId, r.Environment, r.Criticality, r.Kind, r.TargetConnectionId)).ToList();
    }
}
