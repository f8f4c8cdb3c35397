using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Admin;

/// <summary>An administrator replaces the ordered approval policy. Evaluated top to bottom; the first matching rule decides.</summary>
public sealed class SetApprovalRules(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Rule(string Name, ApprovalOutcome Outcome, int RequiredApprovals = 1, string? ApproverGroup = null,
        Guid? ApplicationId = null, string? Environment = null, string? Criticality = null, MigrationKind? Kind = null, Guid? TargetConnectionId = null);

    public async Task HandleAsync(PortalUser user, IReadOnlyList<Rule> rules, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "policy.edit", ct, Roles.Administrator);
        var check = new Validation();
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            check.Require(!string.IsNullOrWhiteSpace(r.Name), $"Rules[{i}].Name", "Name the rule.");
            check.Require(r.Outcome == ApprovalOutcome.AutoApprove || r.RequiredApprovals is 1 or 2, $"Rules[{i}].RequiredApprovals", "A rule requires 1 or 2 approvals.");
        }

        check.ThrowIfInvalid();
        db.ApprovalRules.RemoveRange(await db.ApprovalRules.ToListAsync(ct));
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            db.ApprovalRules.Add(new ApprovalRule(r.Name.Trim(), i, r.Outcome, r.RequiredApprovals, r.ApproverGroup)
            {
                ApplicationId = r.ApplicationId,
                Environment = r.Environment,
                Criticality = r.Criticality,
                Kind = r.Kind,
                TargetConnectionId = r.TargetConnectionId,
            });
        }

        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "ApprovalPolicy", null, new { rules });
        await db.SaveChangesAsync(ct);
    }
}
