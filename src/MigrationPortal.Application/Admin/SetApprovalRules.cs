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
        rules ??= [];
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            check.Text(r.Name, $"Rules[{i}].Name", TextLimits.Name, "Name the rule.")
                .Text(r.ApproverGroup, $"Rules[{i}].ApproverGroup", TextLimits.Group)
                .Text(r.Environment, $"Rules[{i}].Environment", TextLimits.Environment)
                .Text(r.Criticality, $"Rules[{i}].Criticality", TextLimits.Criticality)
                .Defined<ApprovalOutcome>(r.Outcome, $"Rules[{i}].Outcome")
                .Defined(r.Kind, $"Rules[{i}].Kind");
            check.Require(r.Outcome == ApprovalOutcome.AutoApprove || r.RequiredApprovals is 1 or 2, $"Rules[{i}].RequiredApprovals", "A rule requires 1 or 2 approvals.");
        }

        // A rule naming an application or connection that does not exist would never match: refuse it rather than keep a dead rule.
        var applicationIds = rules.Where(r => r.ApplicationId is not null).Select(r => r.ApplicationId!.Value).Distinct().ToList();
        var knownApplications = await db.Applications.Where(a => applicationIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        var connectionIds = rules.Where(r => r.TargetConnectionId is not null).Select(r => r.TargetConnectionId!.Value).Distinct().ToList();
        var knownConnections = await db.Connections.Where(c => connectionIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        for (var i = 0; i < rules.Count; i++)
        {
            check.Require(rules[i].ApplicationId is not { } app || knownApplications.Contains(app), $"Rules[{i}].ApplicationId", "That application does not exist.");
            check.Require(rules[i].TargetConnectionId is not { } conn || knownConnections.Contains(conn), $"Rules[{i}].TargetConnectionId", "That connection does not exist.");
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
