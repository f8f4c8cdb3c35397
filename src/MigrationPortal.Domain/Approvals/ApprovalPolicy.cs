namespace MigrationPortal.Domain.Approvals;

/// <summary>What the policy demands of one request, and why (the rule's name is shown to requesters and approvers).</summary>
public sealed record ApprovalRequirement(ApprovalOutcome Outcome, int RequiredApprovals, string? ApproverGroup, string Reason)
{
    public bool IsAutoApproved => Outcome == ApprovalOutcome.AutoApprove;
}

/// <summary>
/// Evaluates the administrator's rules in order; the first match decides. When nothing matches, one approval
/// from any Approver is required: a portal that silently auto-approved unmatched requests would be unsafe by default.
/// </summary>
public static class ApprovalPolicy
{
    public static ApprovalRequirement Evaluate(IEnumerable<ApprovalRule> rules, ApprovalContext context)
    {
        foreach (var rule in rules.OrderBy(r => r.Order))
        {
            if (!rule.Matches(context)) continue;
            return rule.Outcome == ApprovalOutcome.AutoApprove
                ? new ApprovalRequirement(ApprovalOutcome.AutoApprove, 0, null, $"Rule '{rule.Name}' approves automatically.")
                : new ApprovalRequirement(ApprovalOutcome.RequireApprovals, rule.RequiredApprovals, rule.ApproverGroup,
                    $"Rule '{rule.Name}' requires {rule.RequiredApprovals} approval(s) from {(rule.ApproverGroup is null ? "any approver" : $"group '{rule.ApproverGroup}'")}.");
        }

        return new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "No rule matched: the default requires 1 approval from any approver.");
    }
}
